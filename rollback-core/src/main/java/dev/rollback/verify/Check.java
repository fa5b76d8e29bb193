package dev.rollback.verify;

import java.time.Duration;

import dev.rollback.RollbackContext;

/**
 * One probe of the target's health: an HTTP request, a TCP connect, a command, a metric, a SQL query.
 *
 * <p>A check makes one attempt and says whether it passed; the {@link VerificationChain} polls it with a
 * {@link Retry}. A check should bound its own attempt (the HTTP and TCP checks have timeouts) and should report a
 * failure as a failed {@link CheckResult} with the value it saw; an exception thrown is recorded as a failed
 * attempt with its message.
 */
public interface Check {

  /**
   * One line naming the probe: {@code GET http://127.0.0.1:8000/health expects 200}.
   *
   * @return the description
   */
  String describe();

  /**
   * Makes one attempt.
   *
   * @param ctx the running plan's context (its executors, clock and start time)
   * @return passed or failed, with what was seen
   */
  CheckResult check(RollbackContext ctx);

  /**
   * Makes one attempt that should end within {@code timeLeft}: the time before its chain's deadline. The
   * {@link VerificationChain} calls this, and stops waiting for an attempt when the time is up whatever the check
   * does; a check whose own timeout is longer should shorten it (the HTTP and TCP checks do), so that its
   * connection does not outlive the attempt. The default ignores the bound and calls {@link #check(RollbackContext)}.
   *
   * @param ctx the running plan's context
   * @param timeLeft a positive duration: how long this attempt may take at most
   * @return passed or failed, with what was seen
   */
  default CheckResult check(RollbackContext ctx, Duration timeLeft) {
    return check(ctx);
  }
}
