package dev.rollback.trigger;

import dev.rollback.RollbackContext;
import dev.rollback.verify.Check;
import java.time.Duration;
import java.time.Instant;

/**
 * A signal that calls for a rollback, polled by a {@link Watchdog}. Triggers keep state between polls (a count, the
 * time a metric went above its threshold), so one trigger serves one watchdog at a time; {@link #reset()} clears
 * it.
 *
 * <p>The common cases, from seed 002's trigger table: {@link #consecutiveFailures(Check, int)} (3 failed health
 * checks), {@link #above(MetricSource, double, Duration)} (5xx ratio above 10% for 2 minutes) and
 * {@link #aboveBaseline(MetricSource, double, Duration)} (p95 above 5x the baseline).
 */
public interface Trigger {

  /** @return one line: {@code 3 consecutive failures of GET http://.../health} */
  String describe();

  /**
   * Makes one observation.
   *
   * @param ctx the context checks and metric sources run in
   * @param now the poll's time
   * @return what was seen and whether the trigger tripped
   */
  Observation observe(RollbackContext ctx, Instant now);

  /** Forgets the state kept between polls. Called by the watchdog when it starts. */
  void reset();

  /**
   * Trips after {@code n} consecutive failed attempts of a check; one pass resets the count.
   *
   * @param check the probe, made once per poll
   * @param n failures in a row, at least 1 (seed 002: 3)
   * @return the trigger
   */
  static ConsecutiveFailures consecutiveFailures(Check check, int n) {
    return new ConsecutiveFailures(check, n);
  }

  /**
   * Trips when a metric stays above a threshold for a duration; a single poll at or below the threshold starts the
   * count again, so a flapping signal does not fire.
   *
   * @param metric the metric
   * @param threshold the value it must exceed
   * @param forAtLeast how long it must stay above, zero to trip at once
   * @return the trigger
   */
  static ThresholdTrigger above(MetricSource metric, double threshold, Duration forAtLeast) {
    return new ThresholdTrigger(metric, () -> threshold, Double.toString(threshold), forAtLeast);
  }

  /**
   * Trips when a metric stays above {@code factor} times a baseline captured before the deploy (see
   * {@link BaselineTrigger#captureBaseline(RollbackContext)}) for a duration.
   *
   * @param metric the metric
   * @param factor e.g. 5 for "p95 above 5x the baseline"
   * @param forAtLeast how long it must stay above, zero to trip at once
   * @return the trigger; capture its baseline before the watchdog starts
   */
  static BaselineTrigger aboveBaseline(MetricSource metric, double factor, Duration forAtLeast) {
    return new BaselineTrigger(metric, factor, forAtLeast);
  }
}
