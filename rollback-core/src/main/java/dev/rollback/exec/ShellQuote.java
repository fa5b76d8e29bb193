package dev.rollback.exec;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * POSIX shell quoting: turns argv into a command line a POSIX shell splits back into exactly the same arguments.
 *
 * <p>Each argument is wrapped in single quotes, inside which a shell interprets nothing; a single quote itself is
 * written as {@code '\''}. Newlines, {@code $()}, backticks, globs and non-ASCII text survive unchanged.
 */
public final class ShellQuote {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  private ShellQuote() {}

  /**
   * Quotes one argument, always.
   *
   * @param arg the argument
   * @return the argument in single quotes
   */
  public static String quote(String arg) {
    return "'" + arg.replace("'", "'\\''") + "'";
  }

  /**
   * Quotes one argument only when it holds a character a shell would interpret; for display.
   *
   * @param arg the argument
   * @return the argument as is when safe, else quoted
   */
  public static String quoteIfNeeded(String arg) {
    return SAFE.matcher(arg).matches() ? arg : quote(arg);
  }

  /**
   * Joins argv into one command line, every argument quoted.
   *
   * @param argv the arguments
   * @return the command line
   */
  public static String join(List<String> argv) {
    return argv.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
  }
}
