package dev.rollback.db.migration;

import dev.rollback.RollbackException;

/** {@code flyway undo} was asked of a Flyway edition that has none (Community). */
public class FlywayUndoUnavailableException extends RollbackException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was asked, what was found, what to do
   */
  public FlywayUndoUnavailableException(String message) {
    super(message);
  }
}
