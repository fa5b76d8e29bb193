package dev.rollback.db.migration;

import java.util.List;
import java.util.Optional;

/**
 * Liquibase's command line: {@code liquibase rollback-count --count=N} or {@code rollback --tag=T}, previewed with
 * {@code rollback-count-sql} / {@code rollback-sql}, restored with {@code update-count --count=N} (or
 * {@code update} after a rollback to a tag). Pass the changelog, URL and user as further arguments of the
 * command ({@code MigrationDowngrade.command(...)}) and the password with
 * {@code withEnv("LIQUIBASE_COMMAND_PASSWORD", secret)}.
 */
public final class Liquibase implements MigrationTool {

  @Override
  public String name() {
    return "liquibase";
  }

  @Override
  public List<String> defaultCommand() {
    return List.of("liquibase");
  }

  @Override
  public List<String> currentArgs() {
    return List.of("history");
  }

  /** The last line of {@code history} that names a changeset, as printed. */
  @Override
  public String parseCurrent(String output) {
    List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    return lines.isEmpty() ? "base" : lines.get(lines.size() - 1);
  }

  @Override
  public List<String> downgradeArgs(MigrationTarget target, String current) {
    return target.isRevision() ? List.of("rollback", "--tag=" + target.revision())
        : List.of("rollback-count", "--count=" + target.steps());
  }

  @Override
  public Optional<List<String>> previewArgs(MigrationTarget target, String current) {
    return Optional.of(target.isRevision() ? List.of("rollback-sql", "--tag=" + target.revision())
        : List.of("rollback-count-sql", "--count=" + target.steps()));
  }

  @Override
  public List<String> upgradeArgs(String revision, MigrationTarget target) {
    return target.isRevision() ? List.of("update") : List.of("update-count", "--count=" + target.steps());
  }
}
