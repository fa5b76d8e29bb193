package dev.rollback.docker;

import dev.rollback.RollbackException;

/**
 * A container started during a rollback did not become ready: it exited, went unhealthy, kept restarting, or was
 * still starting at the deadline. The message says which, with its exit code or last health output and its last
 * log lines (secrets masked by {@link dev.rollback.exec.SecretMasker}).
 */
public class ContainerNotReadyException extends RollbackException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was waited for and what was seen
   */
  public ContainerNotReadyException(String message) {
    super(message);
  }
}
