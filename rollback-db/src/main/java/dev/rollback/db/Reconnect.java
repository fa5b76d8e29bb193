package dev.rollback.db;

import dev.rollback.RollbackContext;
import dev.rollback.exec.Command;
import dev.rollback.exec.CommandFailedException;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Runs a database tool again while its server refuses connections because it is restarting: "could not connect",
 * "Connection refused", "the database system is starting up" or "shutting down", MariaDB's "Can't connect". Only a
 * refused connection is retried: nothing ran on the server, so running the command again is always safe; a
 * connection lost midway is not retried. Polls after 250 ms, then twice as long each time up to 2 s, until a
 * deadline; never past it.
 */
final class Reconnect {
  /** How long a restarting server is waited for by default. */
  static final Duration DEFAULT = Duration.ofSeconds(30);
  private static final long FIRST_POLL_NANOS = Duration.ofMillis(250).toNanos();
  private static final long MAX_POLL_NANOS = Duration.ofSeconds(2).toNanos();
  private static final List<String> SIGNS = List.of("could not connect", "connection refused",
      "the database system is starting up", "the database system is shutting down",
      "the database system is not yet accepting connections", "can't connect");

  private final RollbackContext ctx;
  private final String where;
  private final Duration within;

  /**
   * @param ctx the run's context, told when the server refuses and when it answers again
   * @param where the server, for those lines: {@code postgresql on 127.0.0.1:5432}
   * @param within how long to wait; zero tries once
   */
  Reconnect(RollbackContext ctx, String where, Duration within) {
    this.ctx = ctx;
    this.where = where;
    this.within = within;
  }

  Reconnect(RollbackContext ctx, Database db, Duration within) {
    this(ctx, db.engine().name().toLowerCase(Locale.ROOT) + " on " + db.host() + ":" + db.port(), within);
  }

  /** @return true when a tool's error output says the server refused the connection */
  static boolean refused(String stderr) {
    String s = stderr.toLowerCase(Locale.ROOT);
    return SIGNS.stream().anyMatch(s::contains);
  }

  /**
   * Wraps an executor so that a command without stdin or an output sink (a {@code psql -c}, a {@code mariadb -e})
   * runs again while the server refuses connections; other commands run once. Results stay results: the last one
   * is returned, failed or not.
   *
   * @param ex the (context-wrapped) executor of the database's tools
   * @return the wrapper
   */
  Executor executor(Executor ex) {
    return new Executor() {
      @Override
      public ExecResult run(Command command) {
        if (command.stdin().isPresent() || command.stdout().isPresent()) {
          return ex.run(command);
        }
        Wait w = new Wait();
        while (true) {
          ExecResult r = ex.run(command);
          if (r.succeeded() || !refused(r.stderr()) || !w.again(r)) {
            w.end(r.succeeded());
            return r;
          }
        }
      }

      @Override
      public String describe() {
        return ex.describe();
      }
    };
  }

  /**
   * Runs {@code attempt} again while it fails with a refused connection, until the deadline.
   *
   * @param attempt the work; throws {@link CommandFailedException} when a tool failed
   * @return what it returned
   */
  <T> T call(Supplier<T> attempt) {
    Wait w = new Wait();
    while (true) {
      try {
        T out = attempt.get();
        w.end(true);
        return out;
      } catch (CommandFailedException e) {
        if (e.result() == null || !refused(e.result().stderr()) || !w.again(e.result())) {
          w.end(false);
          throw e;
        }
      }
    }
  }

  /** One wait for a server: its deadline, and what the report is told. */
  private final class Wait {
    private final long start = System.nanoTime();
    private final long deadline = start + within.toNanos();
    private boolean waited;
    private long poll = FIRST_POLL_NANOS;

    /** After a refused connection: waits for the next attempt; false when the deadline has passed. */
    boolean again(ExecResult refusedResult) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        if (waited) {
          ctx.action(where + " still refused connections after " + human(within) + ": giving up");
        }
        return false;
      }
      if (!waited) {
        ctx.action(where + " refused the connection (" + firstLine(refusedResult.stderr())
            + "): trying again for up to " + human(within));
        waited = true;
      }
      try {
        Thread.sleep(Math.max(1, Math.min(poll, left) / 1_000_000));
        poll = Math.min(MAX_POLL_NANOS, poll * 2); // each refused attempt is a line in the report: fewer, later
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      return true;
    }

    void end(boolean succeeded) {
      if (waited && succeeded) {
        ctx.action(where + " accepts connections again, after "
            + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
      }
    }
  }

  /** @return {@code 30 s}, or {@code 600 ms} below whole seconds */
  static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** @return the line of a tool's error output that says why the connection was refused */
  private static String firstLine(String text) {
    return text.strip().lines().filter(Reconnect::refused).findFirst().orElse(text.strip()).strip();
  }
}
