package dev.rollback.docker;

import dev.rollback.testing.TestEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Stops the real dockerd that scripts/test-env.sh started and starts it again with the same command line: the
 * fault a rollback meets when the daemon restarts under it. Needs root, as test-env.sh does; the tests that use it
 * must always call {@link #awaitBack} in a finally block, so the daemon is there for the tests after them.
 */
final class DaemonRestart {
  private static final Path PIDFILE = Path.of("/var/run/docker.pid");
  private final List<String> argv;
  private final Path log;
  private volatile Thread starter;

  private DaemonRestart(List<String> argv, Path log) {
    this.argv = argv;
    this.log = log;
  }

  /** Reads the running dockerd's command line; fails the test when there is none or it is not ours to restart. */
  static DaemonRestart ofRunningDaemon(TestEnvironment env) {
    try {
      String pid = Files.readString(PIDFILE).strip();
      byte[] raw = Files.readAllBytes(Path.of("/proc", pid, "cmdline"));
      List<String> argv = new ArrayList<>();
      for (String a : new String(raw, StandardCharsets.UTF_8).split("\0")) {
        if (!a.isEmpty()) {
          argv.add(a);
        }
      }
      if (argv.isEmpty() || !argv.get(0).endsWith("dockerd")) {
        throw new IllegalStateException("pid " + pid + " in " + PIDFILE + " is not dockerd: " + argv);
      }
      return new DaemonRestart(argv, env.file().getParent().resolve("logs").resolve("dockerd.log"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the running dockerd from " + PIDFILE + " (run as root, after"
          + " scripts/test-env.sh): " + e, e);
    }
  }

  /**
   * Stops dockerd (SIGTERM, as a service manager does; its containers stop with it), waits until it has exited,
   * and starts it again after {@code downFor} on another thread.
   */
  void stopThenStartAfter(Duration downFor) {
    long pid;
    try {
      pid = Long.parseLong(Files.readString(PIDFILE).strip());
    } catch (IOException e) {
      throw new IllegalStateException("no dockerd pid in " + PIDFILE, e);
    }
    ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("dockerd " + pid
        + " is not running"));
    daemon.destroy();
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (daemon.isAlive()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("dockerd " + pid + " did not exit within 60 s of SIGTERM");
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(downFor.toMillis()); // the injected outage itself, not a wait for a state
        start();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "dockerd-restart");
    t.setDaemon(true);
    starter = t;
    t.start();
  }

  private void start() {
    List<String> cmd = new ArrayList<>(List.of("setsid", "-f"));
    cmd.addAll(argv);
    try {
      new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start().waitFor();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start dockerd again: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Makes sure dockerd runs again and answers (starting it here if the restart thread never did). */
  void awaitBack(Docker docker) {
    Thread t = starter;
    if (t != null) {
      try {
        t.join(Duration.ofSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!docker.awaitReachable(Duration.ofSeconds(5))) {
      boolean running;
      try {
        running = ProcessHandle.of(Long.parseLong(Files.readString(PIDFILE).strip())).map(ProcessHandle::isAlive)
            .orElse(false);
      } catch (IOException | NumberFormatException e) {
        running = false;
      }
      if (!running) {
        start();
      }
    }
    if (!docker.awaitReachable(Duration.ofSeconds(60))) {
      throw new IllegalStateException("dockerd did not answer within 60 s of its restart; see " + log);
    }
  }
}
