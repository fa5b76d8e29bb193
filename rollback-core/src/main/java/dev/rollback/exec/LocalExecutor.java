package dev.rollback.exec;

import dev.rollback.internal.StreamPump;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs commands on this machine with {@link ProcessBuilder}.
 *
 * <p>The argv goes to the process as is (no shell). Secret environment variables are put into the child's
 * environment only; captured output, the display form and error messages are masked by {@link SecretMasker}. On timeout the whole process tree is ended: SIGTERM to the process and every descendant,
 * then, after a grace period (default 2 s), SIGKILL to whatever is left, including (on Linux) any process that
 * escaped the tree but still holds the command's stdin, stdout or stderr. A process killed by a signal reports
 * the JVM's exit value (128 + signal) as its exit code; the JVM does not tell the two apart. Thread-safe;
 * {@link #close()} does nothing.
 */
public final class LocalExecutor implements Executor {
  private static final LocalExecutor DEFAULT = new LocalExecutor(null, Duration.ofSeconds(2));
  private final Path defaultDir;
  private final Duration killGrace;

  private LocalExecutor(Path defaultDir, Duration killGrace) {
    this.defaultDir = defaultDir;
    this.killGrace = killGrace;
  }

  /** @return an executor running in the JVM's working directory, kill grace 2 s */
  public static LocalExecutor create() {
    return DEFAULT;
  }

  /**
   * An executor whose commands run in {@code dir} unless they set their own working directory.
   *
   * @param dir the directory
   * @return the executor
   */
  public static LocalExecutor in(Path dir) {
    return new LocalExecutor(Objects.requireNonNull(dir, "dir"), DEFAULT.killGrace);
  }

  /**
   * Sets the time between SIGTERM and SIGKILL when a command times out.
   *
   * @param grace at least zero; default 2 s
   * @return a copy
   */
  public LocalExecutor withKillGrace(Duration grace) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must be >= 0, was " + grace);
    }
    return new LocalExecutor(defaultDir, grace);
  }

  @Override
  public ExecResult run(Command command) {
    ProcessBuilder pb = new ProcessBuilder(command.argv());
    command.env().forEach(pb.environment()::put);
    command.secretEnv().forEach((k, v) -> pb.environment().put(k, v.reveal()));
    command.workingDir().map(Path::of).or(() -> java.util.Optional.ofNullable(defaultDir))
        .ifPresent(d -> pb.directory(d.toFile()));
    long start = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new ExecException("cannot start " + mask(command, command.display()) + " locally: " + e.getMessage(), e);
    }
    ChildPipes pipes = ChildPipes.of(p);
    StreamPump.Capture out = new StreamPump.Capture(command.captureLimit());
    StreamPump.Capture err = new StreamPump.Capture(command.captureLimit());
    List<Future<Long>> pumps = new ArrayList<>();
    pumps.add(StreamPump.copy(p.getInputStream(), command.stdout().map(LocalExecutor::unclosable).orElse(out),
        false));
    pumps.add(StreamPump.copy(p.getErrorStream(), command.stderr().map(LocalExecutor::unclosable).orElse(err),
        false));
    StdinFeed feed = null;
    if (command.stdin().isPresent()) {
      feed = new StdinFeed(command.stdin().get(), p, pipes);
      feed.start();
    } else {
      try {
        p.getOutputStream().close();
      } catch (IOException ignored) {
        // the process closed its stdin already
      }
    }
    boolean timedOut = false;
    try {
      if (command.timeout().isPresent()) {
        if (!p.waitFor(command.timeout().get().toNanos(), TimeUnit.NANOSECONDS)) {
          timedOut = true;
          killTree(p, pipes);
        }
      } else {
        p.waitFor();
      }
    } catch (InterruptedException e) {
      killTree(p, pipes);
      Thread.currentThread().interrupt();
      throw new ExecException("interrupted while running " + mask(command, command.display()), e);
    }
    // killed for a failing stdin source: as after a timeout, the output's end is not waited for forever
    boolean killed = timedOut || feed != null && feed.sourceFailure != null;
    for (Future<Long> f : pumps) {
      awaitPump(f, command, killed);
    }
    if (feed != null) {
      feed.stopping = true;
      feed.interrupt();
      try {
        feed.join(1000); // the process has ended, so the feed's writes fail at once; a blocked source is left
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (feed.sourceFailure != null) {
        throw new ExecException("stdin of " + mask(command, command.display()) + " (" + command.stdinDescription()
            + ") failed: " + feed.sourceFailure.getMessage()
            + "; the command was killed rather than given a truncated input", feed.sourceFailure);
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new ExecResult(mask(command, command.display()), timedOut ? -1 : p.exitValue(), null,
        mask(command, out.text()), mask(command, err.text()), took, timedOut, out.truncated() || err.truncated());
  }

  /**
   * Copies the stdin source into the process. A failure to read the source kills the process (it must never take
   * a truncated input for a whole one); a failure to write means the process closed its stdin, which it may.
   */
  private final class StdinFeed extends Thread {
    private final java.util.function.Supplier<InputStream> source;
    private final Process process;
    private final ChildPipes pipes;
    volatile Exception sourceFailure;
    /** Set once the process has ended: a read that fails after that (it was interrupted) is no truncation. */
    volatile boolean stopping;

    StdinFeed(java.util.function.Supplier<InputStream> source, Process process, ChildPipes pipes) {
      super("rollback-stdin-" + process.pid());
      setDaemon(true);
      this.source = source;
      this.process = process;
      this.pipes = pipes;
    }

    @Override
    public void run() {
      OutputStream to = process.getOutputStream();
      try (InputStream in = source.get()) {
        byte[] b = new byte[64 * 1024];
        while (true) {
          int n;
          try {
            n = in.read(b);
          } catch (IOException e) {
            fail(e);
            return;
          }
          if (n < 0) {
            break;
          }
          try {
            to.write(b, 0, n);
          } catch (IOException processClosedItsStdin) {
            return;
          }
        }
      } catch (IOException | RuntimeException e) {
        fail(e);
        return;
      }
      try {
        to.close();
      } catch (IOException ignored) {
        // the process closed its stdin already
      }
    }

    private void fail(Exception e) {
      if (stopping || !process.isAlive()) {
        return; // the process ended without needing the rest of its input
      }
      sourceFailure = e;
      killTree(process, pipes);
    }
  }

  private void killTree(Process p, ChildPipes pipes) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(p.toHandle());
    p.descendants().forEach(tree::add);
    tree.forEach(ProcessHandle::destroy);
    // Poll isAlive rather than onExit(): where PID 1 does not reap orphans, a killed grandchild stays a zombie,
    // which isAlive reports as gone but onExit would wait on for the whole grace period.
    long until = System.nanoTime() + killGrace.toNanos();
    while (System.nanoTime() < until && tree.stream().anyMatch(ProcessHandle::isAlive)) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    // Children may have forked while we waited: take a second look before the hard kill. One forked after the
    // first look by a parent that then died is nobody's descendant any more, but it still holds the pipes.
    p.descendants().forEach(tree::add);
    tree.addAll(pipes.holders());
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private static void awaitPump(Future<Long> f, Command command, boolean killed) {
    try {
      // After a kill, a process that escaped it may still hold the pipe: do not wait for it forever.
      if (killed) {
        f.get(5, TimeUnit.SECONDS);
      } else {
        f.get();
      }
    } catch (TimeoutException e) {
      f.cancel(true);
    } catch (ExecutionException e) {
      throw new ExecException("I/O error on the output of " + mask(command, command.display()) + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Masks by the SDK's one rule ({@link SecretMasker}): the command's secrets and secret-named variables. */
  static String mask(Command c, String text) {
    return SecretMasker.defaults().withCommand(c).mask(text);
  }

  private static OutputStream unclosable(OutputStream o) {
    return new java.io.FilterOutputStream(o) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        out.flush();
      }
    };
  }

  @Override
  public String describe() {
    return defaultDir == null ? "local" : "local (in " + defaultDir + ")";
  }
}
