package dev.rollback.trigger;

import dev.rollback.RollbackContext;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import java.time.Instant;
import java.util.Objects;

/** Trips after n consecutive failed attempts of a check. See {@link Trigger#consecutiveFailures}. */
public final class ConsecutiveFailures implements Trigger {
  private final Check check;
  private final int n;
  private int failures;

  ConsecutiveFailures(Check check, int n) {
    this.check = Objects.requireNonNull(check, "check");
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, was " + n);
    }
    this.n = n;
  }

  @Override
  public String describe() {
    return n + " consecutive failure(s) of " + check.describe();
  }

  @Override
  public synchronized Observation observe(RollbackContext ctx, Instant now) {
    CheckResult r;
    try {
      r = check.check(ctx);
    } catch (RuntimeException e) {
      r = CheckResult.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    if (r.passed()) {
      failures = 0;
      return new Observation(now, true, false, r.detail());
    }
    failures++;
    return new Observation(now, false, failures >= n, r.detail() + " (" + failures + " of " + n
        + " consecutive failures)");
  }

  @Override
  public synchronized void reset() {
    failures = 0;
  }
}
