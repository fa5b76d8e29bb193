package dev.rollback.exec;

import dev.rollback.RollbackException;

/** A command could not be run at all: the program is missing, the connection failed, an I/O error. */
public class ExecException extends RollbackException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what was asked and what went wrong
   * @param cause the underlying error, may be null
   */
  public ExecException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * @param message what was asked and what went wrong
   */
  public ExecException(String message) {
    super(message);
  }
}
