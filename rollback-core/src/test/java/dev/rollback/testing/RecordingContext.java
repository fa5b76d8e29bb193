package dev.rollback.testing;

import dev.rollback.RollbackContext;
import dev.rollback.RollbackListener;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.verify.CheckResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A test context that records what a check or strategy does through it: every check attempt its listener hears,
 * every command run through {@link #executor(Executor)}, every action.
 */
public final class RecordingContext implements RollbackContext {
  private final String target;
  private final Instant startedAt = Instant.now();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final List<String> commands = new CopyOnWriteArrayList<>();
  private final List<String> actions = new CopyOnWriteArrayList<>();
  private final UnaryOperator<Executor> wrap;
  private Path scratch;

  /**
   * One attempt the listener heard.
   *
   * @param target the target passed to the listener
   * @param check the check's description
   * @param attempt the attempt's number
   * @param result the result
   */
  public record Attempt(String target, String check, int attempt, CheckResult result) {}

  private RecordingContext(String target, UnaryOperator<Executor> wrap) {
    this.target = target;
    this.wrap = wrap;
  }

  /**
   * @param target the target's name
   * @return a context whose executor wrapper records and then runs commands for real
   */
  public static RecordingContext create(String target) {
    return new RecordingContext(target, UnaryOperator.identity());
  }

  /**
   * @param target the target's name
   * @param wrap what {@link #executor(Executor)} puts in place of the real executor (after recording)
   * @return the context
   */
  public static RecordingContext withExecutor(String target, UnaryOperator<Executor> wrap) {
    return new RecordingContext(target, wrap);
  }

  /** @return every attempt the listener heard, in order */
  public List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  /** @return every action reported through {@link #action(String)}, in order */
  public List<String> actions() {
    return List.copyOf(actions);
  }

  /** @return the display form of every command run through {@link #executor(Executor)} */
  public List<String> commands() {
    return List.copyOf(commands);
  }

  @Override
  public String target() {
    return target;
  }

  @Override
  public String runId() {
    return "test-run";
  }

  @Override
  public boolean dryRun() {
    return false;
  }

  @Override
  public Executor executor(Executor real) {
    Executor inner = wrap.apply(real);
    return new Executor() {
      @Override
      public ExecResult run(Command command) {
        commands.add(command.display());
        return inner.run(command);
      }

      @Override
      public String describe() {
        return inner.describe();
      }
    };
  }

  @Override
  public Clock clock() {
    return Clock.systemUTC();
  }

  @Override
  public Instant startedAt() {
    return startedAt;
  }

  @Override
  public synchronized Path scratchDir() {
    if (scratch == null) {
      try {
        scratch = Files.createTempDirectory("rollback-test-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return scratch;
  }

  @Override
  public void action(String description) {
    actions.add(description);
  }

  @Override
  public RollbackListener listener() {
    return new RollbackListener() {
      @Override
      public void onCheckAttempt(String t, String check, int attempt, CheckResult result) {
        attempts.add(new Attempt(t, check, attempt, result));
      }
    };
  }
}
