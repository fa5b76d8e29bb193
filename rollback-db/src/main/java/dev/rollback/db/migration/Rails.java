package dev.rollback.db.migration;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rails: {@code bin/rails db:rollback STEP=N} or {@code bin/rails db:migrate VERSION=V}, restored with
 * {@code bin/rails db:migrate VERSION=<version>}. Rails prints no SQL preview.
 */
public final class Rails implements MigrationTool {
  private static final Pattern VERSION = Pattern.compile("Current version:\\s*(\\d+)");

  @Override
  public String name() {
    return "rails";
  }

  @Override
  public List<String> defaultCommand() {
    return List.of("bin/rails");
  }

  @Override
  public List<String> currentArgs() {
    return List.of("db:version");
  }

  @Override
  public String parseCurrent(String output) {
    Matcher m = VERSION.matcher(output);
    return m.find() && !m.group(1).equals("0") ? m.group(1) : "base";
  }

  @Override
  public List<String> downgradeArgs(MigrationTarget target, String current) {
    return target.isRevision() ? List.of("db:migrate", "VERSION=" + target.revision())
        : List.of("db:rollback", "STEP=" + target.steps());
  }

  @Override
  public Optional<List<String>> previewArgs(MigrationTarget target, String current) {
    return Optional.empty();
  }

  @Override
  public List<String> upgradeArgs(String revision, MigrationTarget target) {
    return List.of("db:migrate", "VERSION=" + revision);
  }
}
