package dev.rollback.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The result of one attempt of a {@link Check}.
 *
 * @param passed whether the attempt passed
 * @param detail what was seen: {@code HTTP 200 in 12 ms}, {@code value 0.31 > threshold 0.10}
 * @param at when the attempt started; set by the chain (null from a check)
 * @param duration how long the attempt took; set by the chain (zero from a check)
 */
public record CheckResult(boolean passed, String detail, Instant at, Duration duration) {

  /** Checks the record's fields. */
  public CheckResult {
    Objects.requireNonNull(detail, "detail");
    duration = duration == null ? Duration.ZERO : duration;
  }

  /**
   * A passed attempt.
   *
   * @param detail what was seen
   * @return the result
   */
  public static CheckResult pass(String detail) {
    return new CheckResult(true, detail, null, Duration.ZERO);
  }

  /**
   * A failed attempt.
   *
   * @param detail what was seen, and what was expected
   * @return the result
   */
  public static CheckResult fail(String detail) {
    return new CheckResult(false, detail, null, Duration.ZERO);
  }

  /**
   * A copy with the attempt's timing.
   *
   * @param at when it started
   * @param duration how long it took
   * @return the copy
   */
  public CheckResult timed(Instant at, Duration duration) {
    return new CheckResult(passed, detail, at, duration);
  }
}
