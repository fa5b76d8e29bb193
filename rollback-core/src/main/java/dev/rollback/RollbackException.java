package dev.rollback;

/**
 * The root of every exception the SDK throws. Unchecked: a rollback that cannot proceed is a program state the
 * caller handles where it can, not a checked obligation at every call.
 *
 * <p>Messages say what was asked, what was found, and what the caller can do.
 */
public class RollbackException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was asked, what was found, what to do
   */
  public RollbackException(String message) {
    super(message);
  }

  /**
   * @param message what was asked, what was found, what to do
   * @param cause the underlying error
   */
  public RollbackException(String message, Throwable cause) {
    super(message, cause);
  }
}
