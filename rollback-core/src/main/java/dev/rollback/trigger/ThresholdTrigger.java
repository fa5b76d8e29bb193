package dev.rollback.trigger;

import dev.rollback.RollbackContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Trips when a metric stays above a threshold for a duration. A poll at or below the threshold, or one that cannot
 * read the metric, starts the duration again: a flapping signal never fires. See {@link Trigger#above}.
 */
public class ThresholdTrigger implements Trigger {
  private final MetricSource metric;
  private final DoubleSupplier threshold;
  private final String thresholdText;
  private final Duration forAtLeast;
  private Instant aboveSince;

  ThresholdTrigger(MetricSource metric, DoubleSupplier threshold, String thresholdText, Duration forAtLeast) {
    this.metric = Objects.requireNonNull(metric, "metric");
    this.threshold = threshold;
    this.thresholdText = thresholdText;
    this.forAtLeast = Objects.requireNonNull(forAtLeast, "forAtLeast");
    if (forAtLeast.isNegative()) {
      throw new IllegalArgumentException("duration must be >= 0, was " + forAtLeast);
    }
  }

  @Override
  public String describe() {
    return metric.describe() + " above " + thresholdText
        + (forAtLeast.isZero() ? "" : " for " + forAtLeast.toSeconds() + " s");
  }

  @Override
  public synchronized Observation observe(RollbackContext ctx, Instant now) {
    double v;
    try {
      v = metric.read(ctx);
    } catch (RuntimeException e) {
      aboveSince = null;
      return new Observation(now, false, false, "cannot read " + metric.describe() + ": " + e.getMessage());
    }
    double limit = threshold.getAsDouble();
    if (!(v > limit)) {
      aboveSince = null;
      return new Observation(now, true, false, fmt(v) + " <= " + fmt(limit));
    }
    if (aboveSince == null) {
      aboveSince = now;
    }
    Duration held = Duration.between(aboveSince, now);
    boolean tripped = held.compareTo(forAtLeast) >= 0;
    return new Observation(now, false, tripped, fmt(v) + " > " + fmt(limit) + " for " + held.toMillis() + " ms of "
        + forAtLeast.toMillis() + " ms");
  }

  @Override
  public synchronized void reset() {
    aboveSince = null;
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }
}
