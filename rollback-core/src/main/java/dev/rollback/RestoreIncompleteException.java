package dev.rollback;

import java.util.Objects;

/**
 * A restore that could not finish, told the way a person woken at 3 a.m. needs it: what is where now, and the one
 * action that puts the original back. A strategy throws it from {@link RollbackStrategy#restore} instead of a bare
 * error once it knows its own situation ("the original database was never touched; drop {@code app_rb_20261204}",
 * "{@code api} exists, stopped: {@code docker start api}"); the report's {@linkplain RollbackReport#actionsRequired
 * actions required} then quote it instead of a generic "put it back by hand", which may be the wrong thing to do.
 *
 * <p>Neither text may hold a secret: both reach logs, reports and the journal.
 */
public class RestoreIncompleteException extends RollbackException {
  private static final long serialVersionUID = 1L;
  private final String situation;
  private final String action;

  /**
   * @param situation what is where now, e.g. {@code the original container api (3f2a1b4c5d6e) exists, stopped}
   * @param action the one thing that fixes it, e.g. {@code docker start api}; or {@code nothing: ...} when nothing
   *     needs doing
   * @param cause what stopped the restore, or null
   */
  public RestoreIncompleteException(String situation, String action, Throwable cause) {
    super(Objects.requireNonNull(situation, "situation") + "; to put the original back: "
        + Objects.requireNonNull(action, "action") + (cause == null ? "" : " (the restore stopped on: "
        + describe(cause) + ")"), cause);
    this.situation = situation;
    this.action = action;
  }

  /** @return what is where now */
  public String situation() {
    return situation;
  }

  /** @return the one action that puts the original back */
  public String action() {
    return action;
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }
}
