package dev.rollback.db.migration;

import java.util.List;
import java.util.Optional;

/**
 * alembic (seed 003): {@code alembic downgrade -1}, {@code alembic downgrade <rev>}, previewed with
 * {@code alembic downgrade <current>:<target> --sql} (offline mode needs both ends), restored with
 * {@code alembic upgrade <rev>}.
 */
public final class Alembic implements MigrationTool {

  @Override
  public String name() {
    return "alembic";
  }

  @Override
  public List<String> defaultCommand() {
    return List.of("alembic");
  }

  @Override
  public List<String> currentArgs() {
    return List.of("current");
  }

  @Override
  public String parseCurrent(String output) {
    for (String line : output.lines().toList()) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("INFO")) {
        return l.split("\\s+")[0];
      }
    }
    return "base";
  }

  @Override
  public List<String> downgradeArgs(MigrationTarget target, String current) {
    return List.of("downgrade", to(target));
  }

  @Override
  public Optional<List<String>> previewArgs(MigrationTarget target, String current) {
    return Optional.of(List.of("downgrade", current + ":" + to(target), "--sql"));
  }

  @Override
  public List<String> upgradeArgs(String revision, MigrationTarget target) {
    return List.of("upgrade", revision);
  }

  private static String to(MigrationTarget t) {
    return t.isRevision() ? t.revision() : "-" + t.steps();
  }
}
