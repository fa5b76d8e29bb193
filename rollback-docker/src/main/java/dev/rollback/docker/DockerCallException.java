package dev.rollback.docker;

import dev.rollback.RollbackException;

/**
 * The Docker daemon refused a call, or could not be reached. The message says what was asked and quotes what the
 * daemon answered: {@code docker refused to create container api-rollback from app:release-1 (HTTP 409): Conflict.
 * The container name "/api-rollback" is already in use}.
 */
public class DockerCallException extends RollbackException {
  private static final long serialVersionUID = 1L;
  private final String operation;
  private final int status;
  private final String daemonMessage;

  /**
   * @param operation what was asked
   * @param status the HTTP status the daemon answered, 0 when it could not be reached
   * @param daemonMessage what the daemon said (or why it could not be reached)
   * @param cause the underlying error, may be null
   */
  public DockerCallException(String operation, int status, String daemonMessage, Throwable cause) {
    super(status == 0
        ? "docker call failed: " + operation + ": " + daemonMessage
        : "docker refused to " + operation + " (HTTP " + status + "): " + daemonMessage, cause);
    this.operation = operation;
    this.status = status;
    this.daemonMessage = daemonMessage;
  }

  /** @return what was asked */
  public String operation() {
    return operation;
  }

  /** @return the HTTP status the daemon answered; 0 when it could not be reached */
  public int status() {
    return status;
  }

  /** @return true when the daemon could not be reached (refused, reset, socket gone), not a refusal it answered */
  public boolean unreachable() {
    return status == 0;
  }

  /** @return what the daemon said */
  public String daemonMessage() {
    return daemonMessage;
  }
}
