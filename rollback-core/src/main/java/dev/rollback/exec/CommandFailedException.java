package dev.rollback.exec;

import dev.rollback.RollbackException;

/** A command ended with a non-zero status, a signal or a timeout; the message carries the tail of its stderr. */
public class CommandFailedException extends RollbackException {
  private static final long serialVersionUID = 1L;
  private static final int TAIL = 2000;
  private final transient ExecResult result;

  /**
   * @param result the failed result
   */
  public CommandFailedException(ExecResult result) {
    super("command failed (" + result.describeEnd() + "): " + result.command() + tail(result));
    this.result = result;
  }

  /** @return the failed result */
  public ExecResult result() {
    return result;
  }

  private static String tail(ExecResult r) {
    String err = r.stderr().isBlank() ? r.stdout() : r.stderr();
    err = err.strip();
    if (err.isEmpty()) {
      return "";
    }
    return "\n" + (err.length() > TAIL ? "..." + err.substring(err.length() - TAIL) : err);
  }
}
