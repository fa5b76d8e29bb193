package dev.rollback.internal;

import java.math.BigDecimal;
import java.math.MathContext;

/** Small text helpers for check details: bounded excerpts and readable numbers. */
public final class Text {
  /** Longest excerpt of a body or output a detail carries, in characters, ellipsis included. */
  public static final int EXCERPT = 200;

  private Text() {}

  /**
   * The start of a text on one line: runs of whitespace become one space, and a text longer than
   * {@link #EXCERPT} characters is cut and ends with {@code ...}.
   *
   * @param text any text, may be null
   * @return the excerpt, never null
   */
  public static String excerpt(String text) {
    return excerpt(text, EXCERPT);
  }

  /**
   * The start of a text on one line, at most {@code max} characters long.
   *
   * @param text any text, may be null
   * @param max at least 4
   * @return the excerpt, never null
   */
  public static String excerpt(String text, int max) {
    if (text == null) {
      return "";
    }
    String t = text.replaceAll("\\s+", " ").strip();
    if (t.length() <= max) {
      return t;
    }
    int cut = max - 3;
    // Never split a surrogate pair: half a character prints as '?'.
    if (Character.isHighSurrogate(t.charAt(cut - 1))) {
      cut--;
    }
    return t.substring(0, cut) + "...";
  }

  /**
   * A number as people read it: six significant digits, no trailing zeros, {@code NaN}, {@code +Inf} and
   * {@code -Inf} as Prometheus writes them.
   *
   * @param value any double
   * @return the text
   */
  public static String number(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == 0) {
      return "0";
    }
    double abs = Math.abs(value);
    if (abs >= 1e15 || abs < 1e-6) {
      return Double.toString(value);
    }
    return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  /**
   * Two numbers that must be told apart: {@link #number(double)} each, unless rounding makes different values
   * print alike, then both in full precision.
   *
   * @param a the first
   * @param b the second
   * @return the two texts
   */
  public static String[] distinct(double a, double b) {
    String x = number(a);
    String y = number(b);
    if (x.equals(y) && Double.compare(a, b) != 0) {
      return new String[] {Double.toString(a), Double.toString(b)};
    }
    return new String[] {x, y};
  }

  /**
   * Quotes a text for a detail line: {@code "text"}, with {@code "} and {@code \} escaped.
   *
   * @param text the text
   * @return the quoted text
   */
  public static String quote(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
