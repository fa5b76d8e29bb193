package dev.rollback.release;

import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Release ids: the names of the directories under {@code releases/}. Releases are ordered by their deploy record,
 * and without one by the natural order of their ids (the default format {@code yyyyMMdd-HHmmss} sorts
 * chronologically), never by modification time: see {@link ReleaseOrder}.
 *
 * <p>A valid id is 1 to 128 characters with no {@code /}, no {@code ..}, no leading {@code -} or {@code .}, no
 * whitespace and no control characters: an id is always safe as one path element and as one argument.
 */
public final class ReleaseId {
  /** The default format, {@code yyyyMMdd-HHmmss}, in UTC. */
  public static final DateTimeFormatter DEFAULT_FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private ReleaseId() {}

  /**
   * Checks an id.
   *
   * @param id the id
   * @return the id
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static String check(String id) {
    String problem = problem(id);
    if (problem != null) {
      throw new IllegalArgumentException("invalid release id '" + printable(id) + "': " + problem);
    }
    return id;
  }

  /**
   * @param id a candidate
   * @return true when {@link #check} would accept it
   */
  public static boolean isValid(String id) {
    return problem(id) == null;
  }

  /**
   * A new id from the clock, in {@link #DEFAULT_FORMAT}.
   *
   * @param clock the clock
   * @return e.g. {@code 20240116-104500}
   */
  public static String now(Clock clock) {
    return DEFAULT_FORMAT.format(clock.instant());
  }

  private static String problem(String id) {
    if (id == null || id.isEmpty()) {
      return "empty";
    }
    if (id.length() > 128) {
      return "longer than 128 characters";
    }
    if (id.indexOf('/') >= 0 || id.indexOf('\\') >= 0) {
      return "contains a path separator";
    }
    if (id.contains("..")) {
      return "contains '..'";
    }
    if (id.startsWith("-")) {
      return "starts with '-' (it would read as an option)";
    }
    if (id.startsWith(".")) {
      return "starts with '.'";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c) || Character.isWhitespace(c)) {
        return "contains a control or whitespace character";
      }
    }
    return null;
  }

  private static String printable(String id) {
    if (id == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder();
    id.codePoints().limit(140).forEach(cp -> {
      if (Character.isISOControl(cp)) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", cp));
      } else {
        sb.appendCodePoint(cp);
      }
    });
    return sb.toString();
  }
}
