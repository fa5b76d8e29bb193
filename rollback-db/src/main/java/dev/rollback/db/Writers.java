package dev.rollback.db;

import dev.rollback.Checkpoint;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackStrategy;
import dev.rollback.exec.Command;
import dev.rollback.exec.Executor;
import java.util.Objects;

/**
 * The programs that write to a database, which a restore stops before it changes the database and starts again
 * after: the app's container, a systemd unit, a worker pool. Three ways to say how, all previewable:
 * {@link #commands}, {@link #strategy} (any {@link RollbackStrategy}, e.g. one that stops a container) and
 * {@link #callbacks}.
 */
public interface Writers {

  /** @return one line for previews: {@code docker stop api / docker start api} */
  String describe();

  /**
   * How a person starts the writers by hand when a rollback could not, for reports: {@code run `docker start api`
   * on local}. The default names {@link #describe()}.
   *
   * @return one line
   */
  default String startByHand() {
    return "start the writers (" + describe() + ")";
  }

  /**
   * Stops the writers; in a preview, records what it would do.
   *
   * @param ctx the run's context
   * @return what {@link #start} needs to start them again
   */
  Checkpoint stop(RollbackContext ctx);

  /**
   * Starts the writers again.
   *
   * @param ctx the run's context
   * @param stopped what {@link #stop} returned
   */
  void start(RollbackContext ctx, Checkpoint stopped);

  /** @return writers that need no stopping (nothing else writes, or the caller handles it); the default */
  static Writers none() {
    return new Writers() {
      @Override
      public String describe() {
        return "none";
      }

      @Override
      public Checkpoint stop(RollbackContext ctx) {
        return Checkpoint.of("no writers to stop");
      }

      @Override
      public void start(RollbackContext ctx, Checkpoint stopped) {}
    };
  }

  /**
   * Writers stopped and started by commands, e.g. {@code docker stop api} and {@code docker start api}.
   *
   * @param executor where the commands run
   * @param stop stops the writers; must exit 0
   * @param start starts them; must exit 0
   * @return the writers
   */
  static Writers commands(Executor executor, Command stop, Command start) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(stop, "stop");
    Objects.requireNonNull(start, "start");
    return new Writers() {
      @Override
      public String describe() {
        return stop.display() + " / " + start.display() + " on " + executor.describe();
      }

      @Override
      public String startByHand() {
        return "run `" + start.display() + "` on " + executor.describe();
      }

      @Override
      public Checkpoint stop(RollbackContext ctx) {
        ctx.executor(executor).run(stop).requireSuccess();
        return Checkpoint.of("stopped with " + stop.display());
      }

      @Override
      public void start(RollbackContext ctx, Checkpoint stopped) {
        ctx.executor(executor).run(start).requireSuccess();
      }
    };
  }

  /**
   * Writers stopped by a strategy's checkpoint and rollback and started by its restore: any step that takes the
   * app away (a container stop, a maintenance page) serves.
   *
   * @param strategy the strategy
   * @return the writers
   */
  static Writers strategy(RollbackStrategy strategy) {
    Objects.requireNonNull(strategy, "strategy");
    return new Writers() {
      @Override
      public String describe() {
        return strategy.describe();
      }

      @Override
      public Checkpoint stop(RollbackContext ctx) {
        Checkpoint cp = strategy.checkpoint(ctx);
        strategy.rollback(ctx);
        return cp;
      }

      @Override
      public void start(RollbackContext ctx, Checkpoint stopped) {
        strategy.restore(ctx, stopped);
      }

      @Override
      public String startByHand() {
        return "start the writers: undo \"" + strategy.describe() + "\"";
      }
    };
  }

  /**
   * Writers stopped and started by code in this JVM (a connection pool's pause, a queue consumer). In a preview the
   * callbacks are not called; the description is shown instead.
   *
   * @param description what the callbacks do, for previews and reports
   * @param stop stops the writers
   * @param start starts them
   * @return the writers
   */
  static Writers callbacks(String description, Runnable stop, Runnable start) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(stop, "stop");
    Objects.requireNonNull(start, "start");
    return new Writers() {
      @Override
      public String describe() {
        return description;
      }

      @Override
      public Checkpoint stop(RollbackContext ctx) {
        ctx.action((ctx.dryRun() ? "would stop" : "stop") + " writers: " + description);
        if (!ctx.dryRun()) {
          stop.run();
        }
        return Checkpoint.of("stopped: " + description);
      }

      @Override
      public void start(RollbackContext ctx, Checkpoint stopped) {
        ctx.action((ctx.dryRun() ? "would start" : "start") + " writers: " + description);
        if (!ctx.dryRun()) {
          start.run();
        }
      }
    };
  }
}
