package dev.rollback.verify;

import dev.rollback.RollbackContext;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecException;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.internal.Text;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Runs a command per attempt and checks its exit status and, optionally, its standard output.
 *
 * <pre>{@code
 * CommandCheck.of(ssh, Command.of("systemctl", "is-active", "api").readOnly()).outputContains("active")
 * }</pre>
 *
 * <p>The command runs through {@link RollbackContext#executor(Executor)}, so a plan records it in its timeline and
 * a preview's dry run applies: the command runs as given, so mark it {@link Command#readOnly()} when a preview may
 * run it for real.
 *
 * <p>Immutable and thread-safe. Defaults: exit status 0 passes; no output expectation; the attempt is bounded by
 * the command's own timeout or, when it has none, 30 s (the executor kills it then). Output expectations look at
 * captured standard output (secrets masked by the executor), so the command must not stream stdout elsewhere.
 */
public final class CommandCheck implements Check {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private final Executor executor;
  private final Command command;
  private final int exit;
  private final List<String> contains;
  private final List<Pattern> patterns;

  private CommandCheck(Executor executor, Command command, int exit, List<String> contains,
      List<Pattern> patterns) {
    this.executor = executor;
    this.command = command;
    this.exit = exit;
    this.contains = List.copyOf(contains);
    this.patterns = List.copyOf(patterns);
  }

  /**
   * A command check.
   *
   * @param executor where the command runs
   * @param command what runs; given a 30 s timeout when it has none
   * @return the check, passing on exit 0
   */
  public static CommandCheck of(Executor executor, Command command) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(command, "command");
    Command c = command.timeout().isPresent() ? command : command.withTimeout(DEFAULT_TIMEOUT);
    return new CommandCheck(executor, c, 0, List.of(), List.of());
  }

  /**
   * Sets the exit status that passes.
   *
   * @param status the status; default 0
   * @return a copy
   */
  public CommandCheck expectExit(int status) {
    return new CommandCheck(executor, command, status, contains, patterns);
  }

  /**
   * Requires standard output to contain a text; several calls require all of them.
   *
   * @param text the text, case-sensitive
   * @return a copy
   * @throws IllegalArgumentException when the command streams stdout elsewhere, so there is nothing to match
   */
  public CommandCheck outputContains(String text) {
    requireCapturedStdout();
    List<String> l = new ArrayList<>(contains);
    l.add(Objects.requireNonNull(text, "text"));
    return new CommandCheck(executor, command, exit, l, patterns);
  }

  /**
   * Requires part of standard output to match a pattern ({@link java.util.regex.Matcher#find()}); several calls
   * require all of them.
   *
   * @param pattern the pattern
   * @return a copy
   * @throws IllegalArgumentException when the command streams stdout elsewhere
   */
  public CommandCheck outputMatches(Pattern pattern) {
    requireCapturedStdout();
    List<Pattern> l = new ArrayList<>(patterns);
    l.add(Objects.requireNonNull(pattern, "pattern"));
    return new CommandCheck(executor, command, exit, contains, l);
  }

  /**
   * Requires part of standard output to match a regular expression.
   *
   * @param regex the expression
   * @return a copy
   * @throws IllegalArgumentException when the command streams stdout elsewhere
   */
  public CommandCheck outputMatches(String regex) {
    return outputMatches(Pattern.compile(regex));
  }

  /**
   * Bounds each attempt; the executor kills the command when it runs longer.
   *
   * @param timeout a positive duration; default the command's own timeout, else 30 s
   * @return a copy
   */
  public CommandCheck timeout(Duration timeout) {
    return new CommandCheck(executor, command.withTimeout(HttpCheck.positive(timeout)), exit, contains, patterns);
  }

  /** @return the command as it runs, timeout included */
  public Command command() {
    return command;
  }

  /** {@code sh -c 'echo ready' (local) expects exit 0, output containing "ready"}; secrets shown as ***. */
  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder(command.display()).append(" (").append(executor.describe())
        .append(") expects exit ").append(exit);
    for (String t : contains) {
      sb.append(", output containing ").append(Text.quote(t));
    }
    for (Pattern p : patterns) {
      sb.append(", output matching /").append(p.pattern()).append('/');
    }
    return sb.toString();
  }

  /** {@link #describe()}. */
  @Override
  public String toString() {
    return describe();
  }

  /**
   * Runs the command once, through {@code ctx.executor(executor)}.
   *
   * @param ctx the context whose executor wrapper is used
   * @return passed when the exit status and output are as expected; the detail names the exit status and an
   *     excerpt of the output (and of stderr on failure)
   */
  @Override
  public CheckResult check(RollbackContext ctx) {
    ExecResult r;
    try {
      r = ctx.executor(executor).run(command);
    } catch (ExecException e) {
      return CheckResult.fail("cannot run: " + e.getMessage());
    }
    List<String> problems = new ArrayList<>();
    if (r.timedOut() || r.signal() != null || r.exitCode() != exit) {
      problems.add("expected exit " + exit);
    }
    for (String t : contains) {
      if (!r.stdout().contains(t)) {
        problems.add("output does not contain " + Text.quote(t));
      }
    }
    for (Pattern p : patterns) {
      if (!p.matcher(r.stdout()).find()) {
        problems.add("output does not match /" + p.pattern() + "/");
      }
    }
    StringBuilder sb = new StringBuilder(r.describeEnd()).append(" in ").append(r.duration().toMillis())
        .append(" ms");
    problems.forEach(p -> sb.append(", ").append(p));
    String out = Text.excerpt(r.stdout());
    sb.append(out.isEmpty() ? "; no output" : "; output: " + Text.quote(out));
    if (!problems.isEmpty()) {
      String err = Text.excerpt(tail(r.stderr()));
      if (!err.isEmpty()) {
        sb.append("; stderr: ").append(Text.quote(err));
      }
    }
    return problems.isEmpty() ? CheckResult.pass(sb.toString()) : CheckResult.fail(sb.toString());
  }

  /** The end of stderr says why a command failed; keep that part when cutting. */
  private static String tail(String s) {
    String t = s.strip();
    return t.length() <= Text.EXCERPT ? t : "..." + t.substring(t.length() - (Text.EXCERPT - 6));
  }

  private void requireCapturedStdout() {
    if (command.stdout().isPresent()) {
      throw new IllegalArgumentException("cannot match the output of " + command.display()
          + ": its stdout is streamed to a sink, not captured; drop withStdout(...) to check its output");
    }
  }
}
