package dev.rollback.docker;

import dev.rollback.RollbackException;

/** A {@link TrafficSwitch} could not read or change the proxy's upstream; the message says what stayed in place. */
public class TrafficSwitchException extends RollbackException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was asked, what the proxy answered, what is in place now
   */
  public TrafficSwitchException(String message) {
    super(message);
  }

  /**
   * @param message what was asked, what the proxy answered, what is in place now
   * @param cause the underlying error
   */
  public TrafficSwitchException(String message, Throwable cause) {
    super(message, cause);
  }
}
