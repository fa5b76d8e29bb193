package dev.rollback.release;

import dev.rollback.RollbackException;

/**
 * A compare-and-swap switch of {@code current} found another release than expected and switched nothing
 * ({@link ReleaseDirectory#activate(String, String)}).
 */
public final class CurrentMovedException extends RollbackException {
  private static final long serialVersionUID = 1L;
  private final String found;

  CurrentMovedException(String message, String found) {
    super(message);
    this.found = found;
  }

  /** @return what {@code current} pointed at when the switch was refused, as its link reads; may be empty */
  public String found() {
    return found;
  }
}
