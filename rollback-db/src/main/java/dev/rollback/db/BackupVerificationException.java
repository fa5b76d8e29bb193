package dev.rollback.db;

import dev.rollback.RollbackException;

/**
 * A backup is not what its manifest says (missing, truncated, a different SHA-256, another engine or database), so
 * no restore may use it. Thrown before any database is touched.
 */
public class BackupVerificationException extends RollbackException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was asked, what was found, what to do
   */
  public BackupVerificationException(String message) {
    super(message);
  }
}
