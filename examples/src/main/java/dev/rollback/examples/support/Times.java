package dev.rollback.examples.support;

import java.time.Duration;
import java.util.Locale;

/** Durations as people read them in the examples' output. */
public final class Times {
  private Times() {}

  /** @param d a duration, or null @return e.g. {@code 4.329 s}, or {@code -} */
  public static String seconds(Duration d) {
    return d == null ? "-" : String.format(Locale.ROOT, "%.3f s", d.toMillis() / 1000.0);
  }
}
