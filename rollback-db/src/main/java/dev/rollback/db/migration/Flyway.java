package dev.rollback.db.migration;

import dev.rollback.RollbackException;
import dev.rollback.exec.ExecResult;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flyway: {@code flyway undo} (one step) or {@code flyway undo -target=V}, restored with
 * {@code flyway migrate -target=<version>}. Undo exists only in Flyway's paid editions: the preflight reads
 * {@code flyway --version} and refuses, with what to do instead, when it says Community; a downgrade that fails
 * because undo is missing says the same.
 */
public final class Flyway implements MigrationTool {
  private static final Pattern VERSION = Pattern.compile("\"schemaVersion\"\\s*:\\s*\"([^\"]*)\"");
  private static final Pattern NO_UNDO = Pattern.compile(
      "(?is).*(community edition|teams edition|enterprise edition|unknown command|invalid (argument|operation)"
      + ".*undo|undo.*not supported).*");

  @Override
  public String name() {
    return "flyway";
  }

  @Override
  public List<String> defaultCommand() {
    return List.of("flyway");
  }

  @Override
  public List<String> currentArgs() {
    return List.of("-outputType=json", "info");
  }

  @Override
  public String parseCurrent(String output) {
    Matcher m = VERSION.matcher(output);
    return m.find() && !m.group(1).isEmpty() ? m.group(1) : "base";
  }

  @Override
  public List<String> downgradeArgs(MigrationTarget target, String current) {
    if (target.isRevision()) {
      return List.of("undo", "-target=" + target.revision());
    }
    if (target.steps() != 1) {
      throw new IllegalArgumentException("flyway undo goes back one migration at a time, or to a version with"
          + " toRevision(...); asked for " + target.steps() + " steps");
    }
    return List.of("undo");
  }

  @Override
  public Optional<List<String>> previewArgs(MigrationTarget target, String current) {
    return Optional.empty();
  }

  @Override
  public List<String> upgradeArgs(String revision, MigrationTarget target) {
    return List.of("migrate", "-target=" + revision);
  }

  @Override
  public Optional<List<String>> preflightArgs() {
    return Optional.of(List.of("--version"));
  }

  @Override
  public void checkPreflight(ExecResult result) {
    String out = result.stdout() + result.stderr();
    if (out.toLowerCase(java.util.Locale.ROOT).contains("community edition")) {
      throw noUndo(out);
    }
  }

  @Override
  public RollbackException downgradeFailed(ExecResult result) {
    String out = result.stdout() + "\n" + result.stderr();
    return NO_UNDO.matcher(out).matches() ? noUndo(out) : new dev.rollback.exec.CommandFailedException(result);
  }

  private static FlywayUndoUnavailableException noUndo(String output) {
    String line = output.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    return new FlywayUndoUnavailableException("flyway undo was asked for, but this Flyway has no undo ('" + line
        + "'): undo needs Flyway Teams or Enterprise. Roll the data back with DbRestoreRollback from a"
        + " pre-deployment backup instead, or ship the reverse change as a new forward migration");
  }
}
