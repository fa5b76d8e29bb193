package dev.rollback.volumes;

import dev.rollback.RollbackException;

/**
 * A volume or host directory could not be backed up or restored: the message says what was asked, what was found
 * and what to do.
 */
public class VolumeException extends RollbackException {
  private static final long serialVersionUID = 1L;

  /** @param message what was asked, what was found, what to do */
  public VolumeException(String message) {
    super(message);
  }

  /**
   * @param message what was asked, what was found, what to do
   * @param cause the underlying error
   */
  public VolumeException(String message, Throwable cause) {
    super(message, cause);
  }
}
