package dev.rollback.verify;

import dev.rollback.internal.Text;

/**
 * A bound a metric value must keep: {@code < 0.1}, {@code <= 0.1}, {@code > 10}, {@code >= 10}. Immutable.
 *
 * <p>NaN satisfies no threshold: a comparison with NaN is false in IEEE 754, and a check that cannot tell whether
 * the target is healthy must not pass. {@code +Inf} and {@code -Inf} compare as numbers ({@code +Inf} is above
 * every limit).
 */
public final class Threshold {
  private enum Op {
    BELOW("<", ">="), AT_MOST("<=", ">"), ABOVE(">", "<="), AT_LEAST(">=", "<");

    final String symbol;
    final String negated;

    Op(String symbol, String negated) {
      this.symbol = symbol;
      this.negated = negated;
    }
  }

  private final Op op;
  private final double limit;

  private Threshold(Op op, double limit) {
    if (Double.isNaN(limit)) {
      throw new IllegalArgumentException("a threshold cannot be NaN");
    }
    this.op = op;
    this.limit = limit;
  }

  /**
   * Values strictly below a limit pass.
   *
   * @param limit the limit, not NaN
   * @return the threshold
   * @throws IllegalArgumentException when the limit is NaN
   */
  public static Threshold below(double limit) {
    return new Threshold(Op.BELOW, limit);
  }

  /**
   * Values at or below a limit pass.
   *
   * @param limit the limit, not NaN
   * @return the threshold
   * @throws IllegalArgumentException when the limit is NaN
   */
  public static Threshold atMost(double limit) {
    return new Threshold(Op.AT_MOST, limit);
  }

  /**
   * Values strictly above a limit pass.
   *
   * @param limit the limit, not NaN
   * @return the threshold
   * @throws IllegalArgumentException when the limit is NaN
   */
  public static Threshold above(double limit) {
    return new Threshold(Op.ABOVE, limit);
  }

  /**
   * Values at or above a limit pass.
   *
   * @param limit the limit, not NaN
   * @return the threshold
   * @throws IllegalArgumentException when the limit is NaN
   */
  public static Threshold atLeast(double limit) {
    return new Threshold(Op.AT_LEAST, limit);
  }

  /** @return the limit */
  public double limit() {
    return limit;
  }

  /**
   * Whether a value keeps the bound.
   *
   * @param value the value
   * @return true when it does; always false for NaN
   */
  public boolean test(double value) {
    if (Double.isNaN(value)) {
      return false;
    }
    switch (op) {
      case BELOW:
        return value < limit;
      case AT_MOST:
        return value <= limit;
      case ABOVE:
        return value > limit;
      default:
        return value >= limit;
    }
  }

  /**
   * Of several values, the one nearest to failing: the highest for an upper bound, the lowest for a lower bound.
   *
   * @param a one value
   * @param b another
   * @return the worse of the two (NaN is worse than any number)
   */
  public double worse(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return Double.NaN;
    }
    return (op == Op.BELOW || op == Op.AT_MOST) ? Math.max(a, b) : Math.min(a, b);
  }

  /**
   * The value against the threshold, as a detail says it: {@code value 0.05 < threshold 0.1} when it passes,
   * {@code value 0.31 >= threshold 0.1} when it fails, {@code value NaN is not < threshold 0.1} for NaN.
   *
   * @param value the value seen
   * @return the phrase
   */
  public String explain(double value) {
    String[] t = Text.distinct(value, limit);
    if (Double.isNaN(value)) {
      return "value NaN is not " + op.symbol + " threshold " + t[1];
    }
    return "value " + t[0] + " " + (test(value) ? op.symbol : op.negated) + " threshold " + t[1];
  }

  /** {@code < 0.1}. */
  @Override
  public String toString() {
    return op.symbol + " " + Text.number(limit);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Threshold && ((Threshold) o).op == op && Double.compare(((Threshold) o).limit, limit) == 0;
  }

  @Override
  public int hashCode() {
    return op.hashCode() * 31 + Double.hashCode(limit);
  }
}
