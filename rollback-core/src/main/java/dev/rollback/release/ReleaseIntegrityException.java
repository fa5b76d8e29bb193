package dev.rollback.release;

import dev.rollback.RollbackException;

/**
 * A release cannot be trusted: its manifest is missing or unreadable, a recorded file is missing or its sha256
 * differs, or a shared link is broken. Rolling back to it is refused: a release that only appears to roll back is
 * worse than none.
 */
public class ReleaseIntegrityException extends RollbackException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was checked, what was found, what to do
   */
  public ReleaseIntegrityException(String message) {
    super(message);
  }
}
