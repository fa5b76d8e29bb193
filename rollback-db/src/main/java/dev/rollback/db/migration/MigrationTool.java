package dev.rollback.db.migration;

import dev.rollback.RollbackException;
import dev.rollback.exec.CommandFailedException;
import dev.rollback.exec.ExecResult;
import java.util.List;
import java.util.Optional;

/**
 * One migration tool's command lines. Methods return the arguments after the tool's program (which the caller
 * may replace, e.g. by {@code docker-compose run --rm app alembic}). Implementations are stateless.
 */
public interface MigrationTool {

  /** @return the tool's name for reports: {@code alembic} */
  String name();

  /** @return the program and fixed arguments that run the tool: {@code [alembic]}, {@code [bin/rails]} */
  List<String> defaultCommand();

  /** @return arguments that print the current revision; run read-only */
  List<String> currentArgs();

  /**
   * Reads the current revision from what {@link #currentArgs()} printed.
   *
   * @param output the command's stdout
   * @return the revision; {@code base} when no migration is applied
   */
  String parseCurrent(String output);

  /**
   * @param target how far to go
   * @param current the revision now
   * @return arguments that downgrade
   */
  List<String> downgradeArgs(MigrationTarget target, String current);

  /**
   * @param target how far to go
   * @param current the revision now
   * @return arguments that print the downgrade's SQL without running it (read-only), when the tool can
   */
  Optional<List<String>> previewArgs(MigrationTarget target, String current);

  /**
   * @param revision the revision the checkpoint recorded
   * @param target the downgrade that ran
   * @return arguments that bring the schema back up to {@code revision}
   */
  List<String> upgradeArgs(String revision, MigrationTarget target);

  /**
   * Arguments run read-only before anything changes, whose output {@link #checkPreflight} judges; e.g. Flyway's
   * edition. The default is none.
   *
   * @return the arguments, or empty
   */
  default Optional<List<String>> preflightArgs() {
    return Optional.empty();
  }

  /**
   * Judges the preflight command's result.
   *
   * @param result what {@link #preflightArgs()} printed
   * @throws RollbackException when the downgrade cannot work
   */
  default void checkPreflight(ExecResult result) {}

  /**
   * Turns a failed downgrade into the exception to throw; the default names the command and its stderr.
   *
   * @param result the failed result
   * @return the exception
   */
  default RollbackException downgradeFailed(ExecResult result) {
    return new CommandFailedException(result);
  }
}
