package dev.rollback.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The result of running a {@link VerificationChain}: passed when every check passed.
 *
 * @param passed whether every check passed
 * @param startedAt when the first attempt started
 * @param duration how long the chain took
 * @param checks one report per check, in chain order (checks after a failed one are reported as not run)
 */
public record VerificationResult(boolean passed, Instant startedAt, Duration duration, List<CheckReport> checks) {

  /** Copies the checks. */
  public VerificationResult {
    checks = List.copyOf(checks);
  }

  /** @return one line: which checks passed and, for a failure, what the failing check saw last */
  public String summary() {
    if (checks.isEmpty()) {
      return "no checks";
    }
    if (passed) {
      return checks.size() + " check(s) passed in " + duration.toMillis() + " ms";
    }
    return checks.stream().filter(c -> !c.passed()).findFirst()
        .map(c -> c.check() + ": " + c.lastDetail() + " (after " + c.attempts().size() + " attempt(s))")
        .orElse("failed");
  }

  /** @return every check's last detail, one per line */
  public String details() {
    return checks.stream().map(c -> (c.passed() ? "ok   " : "FAIL ") + c.check() + ": " + c.lastDetail())
        .collect(Collectors.joining("\n"));
  }
}
