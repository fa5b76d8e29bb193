package dev.rollback.benchmarks;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Percentiles over samples in nanoseconds, reported in milliseconds. */
final class Stats {
  private Stats() {}

  static double percentileMs(List<Long> nanos, double p) {
    long[] a = nanos.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(a);
    if (a.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * a.length) - 1;
    return a[Math.max(0, Math.min(a.length - 1, i))] / 1e6;
  }

  static double medianMs(List<Long> nanos) {
    return percentileMs(nanos, 50);
  }

  static String ms(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
