package dev.rollback.verify;

import java.time.Duration;
import java.util.Objects;

/**
 * How a check is polled: an attempt every {@code interval} until it passes, the deadline passes, or the attempts
 * run out. Immutable.
 *
 * <p>Defaults: {@link #DEFAULT}: every 500 ms, deadline 60 s, no attempt limit. A {@linkplain #once() single
 * attempt} is {@code Retry.once()}.
 */
public final class Retry {
  /** Every 500 ms for up to 60 s, no attempt limit. */
  public static final Retry DEFAULT = new Retry(Duration.ofMillis(500), Duration.ofSeconds(60), Integer.MAX_VALUE);

  private final Duration interval;
  private final Duration deadline;
  private final int maxAttempts;

  private Retry(Duration interval, Duration deadline, int maxAttempts) {
    this.interval = interval;
    this.deadline = deadline;
    this.maxAttempts = maxAttempts;
  }

  /**
   * Polls at an interval, measured from the start of one attempt to the start of the next; deadline 60 s.
   *
   * @param interval a positive duration
   * @return the retry
   */
  public static Retry every(Duration interval) {
    return new Retry(positive(interval, "interval"), DEFAULT.deadline, Integer.MAX_VALUE);
  }

  /**
   * One attempt, no retry.
   *
   * @return the retry
   */
  public static Retry once() {
    return new Retry(Duration.ofMillis(1), Duration.ofDays(365), 1);
  }

  /**
   * Sets the deadline, measured from the first attempt's start; no attempt starts after it.
   *
   * @param deadline a positive duration; default 60 s
   * @return a copy
   */
  public Retry deadline(Duration deadline) {
    return new Retry(interval, positive(deadline, "deadline"), maxAttempts);
  }

  /**
   * Limits the number of attempts.
   *
   * @param attempts at least 1; default unlimited (bounded by the deadline)
   * @return a copy
   */
  public Retry attempts(int attempts) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be >= 1, was " + attempts);
    }
    return new Retry(interval, deadline, attempts);
  }

  /** @return time between attempt starts */
  public Duration interval() {
    return interval;
  }

  /** @return the deadline from the first attempt */
  public Duration deadline() {
    return deadline;
  }

  /** @return the attempt limit; {@link Integer#MAX_VALUE} when unlimited */
  public int maxAttempts() {
    return maxAttempts;
  }

  @Override
  public String toString() {
    if (maxAttempts == 1) {
      return "once";
    }
    return "every " + interval.toMillis() + " ms for up to " + deadline.toMillis() + " ms"
        + (maxAttempts == Integer.MAX_VALUE ? "" : ", at most " + maxAttempts + " attempts");
  }

  private static Duration positive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + d);
    }
    return d;
  }
}
