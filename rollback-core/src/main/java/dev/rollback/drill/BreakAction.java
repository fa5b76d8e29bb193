package dev.rollback.drill;

/** How a drill breaks its target on purpose, e.g. by deploying a known-bad release. */
@FunctionalInterface
public interface BreakAction {

  /**
   * Breaks the target. Returns when the bad version is live.
   *
   * @throws Exception when it cannot; the drill then fails without recovering anything
   */
  void breakTarget() throws Exception;
}
