package dev.rollback.trigger;

import dev.rollback.RollbackContext;
import java.time.Duration;

/**
 * Trips when a metric stays above a multiple of a baseline captured before the deploy. See
 * {@link Trigger#aboveBaseline}.
 */
public final class BaselineTrigger extends ThresholdTrigger {
  private final MetricSource metric;
  private final double factor;
  private final double[] baseline;

  BaselineTrigger(MetricSource metric, double factor, Duration forAtLeast) {
    this(metric, factor, forAtLeast, new double[] {Double.NaN});
  }

  private BaselineTrigger(MetricSource metric, double factor, Duration forAtLeast, double[] baseline) {
    super(metric, () -> {
      if (Double.isNaN(baseline[0])) {
        throw new IllegalStateException("no baseline captured for " + metric.describe()
            + "; call captureBaseline before the deploy");
      }
      return factor * baseline[0];
    }, factor + "x baseline", forAtLeast);
    if (!(factor > 0)) {
      throw new IllegalArgumentException("factor must be > 0, was " + factor);
    }
    this.metric = metric;
    this.factor = factor;
    this.baseline = baseline;
  }

  /**
   * Reads the metric now and keeps it as the baseline: call it before the deploy.
   *
   * @param ctx the context the metric is read in
   * @return the baseline
   */
  public synchronized double captureBaseline(RollbackContext ctx) {
    return baseline(metric.read(ctx));
  }

  /**
   * Sets the baseline to a known value.
   *
   * @param value the baseline, positive
   * @return the baseline
   */
  public synchronized double baseline(double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("a baseline must be a positive number, was " + value);
    }
    baseline[0] = value;
    return value;
  }

  /** @return the baseline, NaN until captured */
  public synchronized double baseline() {
    return baseline[0];
  }

  @Override
  public String describe() {
    return super.describe() + (Double.isNaN(baseline[0]) ? "" : " (baseline " + fmt(baseline[0]) + ", limit "
        + fmt(factor * baseline[0]) + ")");
  }
}
