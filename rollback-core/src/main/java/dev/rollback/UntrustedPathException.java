package dev.rollback;

/**
 * A journal or lock path that cannot be trusted: a symbolic link, owned by another user, or writable by others.
 * Thrown by {@link StateDirectory#requirePrivate}; a plan whose journal is untrusted is refused before any change.
 */
public class UntrustedPathException extends RollbackException {
  private static final long serialVersionUID = 1L;

  /** @param message which path fails which rule, and how to fix it */
  public UntrustedPathException(String message) {
    super(message);
  }
}
