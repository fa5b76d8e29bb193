package dev.rollback.exec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Records commands instead of running them; previews run strategies through it.
 *
 * <p>A mutating command is recorded and answered with exit 0 and no output. A {@linkplain Command#readOnly()
 * read-only} command runs for real through the delegate, when there is one, so a preview can read the current
 * state (which release {@code current} names, which image runs) and say exactly what would change.
 * Thread-safe.
 */
public final class DryRunExecutor implements Executor {
  private final Executor delegate;
  private final String where;
  private final List<String> recorded = new ArrayList<>();
  private final Consumer<String> sink;

  private DryRunExecutor(Executor delegate, String where, Consumer<String> sink) {
    this.delegate = delegate;
    this.where = where;
    this.sink = sink;
  }

  /**
   * A dry run with nothing behind it: every command is recorded, none runs.
   *
   * @return the executor
   */
  public static DryRunExecutor recording() {
    return new DryRunExecutor(null, "dry run", line -> {});
  }

  /**
   * A dry run in front of a real executor: read-only commands run through it, mutating ones are recorded.
   *
   * @param delegate the executor the real run would use
   * @return the executor
   */
  public static DryRunExecutor over(Executor delegate) {
    return over(delegate, line -> {});
  }

  /**
   * A dry run in front of a real executor that also hands each recorded line to {@code sink} as it is recorded;
   * previews use it to list commands in step order.
   *
   * @param delegate the executor the real run would use
   * @param sink receives each recorded line
   * @return the executor
   */
  public static DryRunExecutor over(Executor delegate, Consumer<String> sink) {
    Objects.requireNonNull(delegate, "delegate");
    return new DryRunExecutor(delegate, delegate.describe(), Objects.requireNonNull(sink, "sink"));
  }

  @Override
  public ExecResult run(Command command) {
    if (!command.mutating() && delegate != null) {
      return delegate.run(command);
    }
    String line = where + ": " + command.display();
    synchronized (recorded) {
      recorded.add(line);
    }
    sink.accept(line);
    return new ExecResult(command.display(), 0, null, "", "", Duration.ZERO, false, false);
  }

  /**
   * The mutating commands recorded so far, each as {@code <where>: <command>}, in order.
   *
   * @return a copy of the list
   */
  public List<String> recorded() {
    synchronized (recorded) {
      return List.copyOf(recorded);
    }
  }

  @Override
  public String describe() {
    return "dry run of " + where;
  }

  /** Does not close the delegate: the caller owns it. */
  @Override
  public void close() {}
}
