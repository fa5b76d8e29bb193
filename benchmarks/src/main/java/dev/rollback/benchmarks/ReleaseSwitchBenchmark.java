package dev.rollback.benchmarks;

import dev.rollback.drill.DrillReport;
import dev.rollback.examples.quickstart.QuickstartApp;
import dev.rollback.exec.Executor;
import dev.rollback.exec.SshExecutor;
import dev.rollback.release.ReleaseDirectory;
import dev.rollback.release.ReleaseSpec;
import dev.rollback.testing.ReaderLoop;
import dev.rollback.testing.TestSsh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Issue 3's benchmark: how long one atomic switch of {@code current} takes (locally and over SSH, p50 and p99),
 * how many reads of {@code current/} fail during the switches (must be 0), and the quickstart drill's time to
 * recover against its floor (the trigger's 3 polls plus one service restart). Prints one JSON object, then one
 * line per figure. Needs the OpenSSH server of scripts/test-env.sh for the SSH part.
 */
public final class ReleaseSwitchBenchmark {
  private ReleaseSwitchBenchmark() {}

  /** Result of one series of switches. */
  record Switches(int n, double p50Ms, double p99Ms, long reads, long failedReads) {}

  /**
   * Runs the benchmark.
   *
   * @param args optional: number of switches (default 500), drills (default 3)
   * @throws Exception when setup fails
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int drills = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path tmp = Files.createTempDirectory("rollback-switch-bench-");
    Switches local = switches(dev.rollback.exec.LocalExecutor.create(), tmp.resolve("local"), n);
    Switches ssh;
    try (SshExecutor s = TestSsh.connect()) {
      ssh = switches(s, tmp.resolve("ssh"), n);
    }
    List<Long> ttr = new ArrayList<>();
    List<Long> detect = new ArrayList<>();
    List<Long> restart = new ArrayList<>();
    for (int i = 0; i < drills; i++) {
      try (QuickstartApp app = QuickstartApp.start()) {
        long t0 = System.nanoTime();
        app.restartService();
        restart.add(System.nanoTime() - t0);
        DrillReport r = app.drill().run();
        if (!r.passed()) {
          throw new IllegalStateException("drill failed: " + r.toText());
        }
        ttr.add(r.timeToRecover().toNanos());
        detect.add(r.detectionTime().toNanos());
      }
    }
    double pollMs = QuickstartApp.POLL_INTERVAL.toMillis();
    double floorMs = (QuickstartApp.FAILURES_TO_TRIGGER - 1) * pollMs + Stats.medianMs(restart);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("switches", n);
    json.put("local", local);
    json.put("ssh", ssh);
    json.put("drill_ttr_median_ms", Stats.medianMs(ttr));
    json.put("drill_detection_median_ms", Stats.medianMs(detect));
    json.put("drill_floor_ms", floorMs);
    json.put("service_restart_median_ms", Stats.medianMs(restart));
    json.put("drill_ttr_over_floor", Stats.medianMs(ttr) / floorMs);
    System.out.println(dev.rollback.internal.Json.MAPPER.writeValueAsString(json));
    System.out.println("switch local: p50 " + Stats.ms(local.p50Ms()) + " ms, p99 " + Stats.ms(local.p99Ms())
        + " ms; failed reads " + local.failedReads() + " of " + local.reads());
    System.out.println("switch ssh:   p50 " + Stats.ms(ssh.p50Ms()) + " ms, p99 " + Stats.ms(ssh.p99Ms())
        + " ms; failed reads " + ssh.failedReads() + " of " + ssh.reads());
    System.out.println("quickstart drill: time to recover " + Stats.ms(Stats.medianMs(ttr)) + " ms (median of "
        + drills + "), floor " + Stats.ms(floorMs) + " ms (" + (QuickstartApp.FAILURES_TO_TRIGGER - 1) + " x "
        + (long) pollMs + " ms polls + a " + Stats.ms(Stats.medianMs(restart)) + " ms restart), ratio "
        + Stats.ms(Stats.medianMs(ttr) / floorMs));
  }

  /** Switches current n times between two releases while a reader resolves current/ in a tight loop. */
  static Switches switches(Executor ex, Path root, int n) throws Exception {
    ReleaseDirectory d = ReleaseDirectory.at(ex, root.toString());
    d.deploy(ReleaseSpec.withId("r1").file("version", "1"));
    d.deploy(ReleaseSpec.withId("r2").file("version", "2"));
    d.activate("r1");
    List<Long> times = new ArrayList<>();
    long reads;
    long failed;
    try (ReaderLoop reader = ReaderLoop.start(root.resolve("current/version"), Set.of("1", "2"))) {
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        d.activate(i % 2 == 0 ? "r2" : "r1");
        times.add(System.nanoTime() - t0);
      }
      reader.close();
      reads = reader.reads();
      failed = reader.failures();
    }
    return new Switches(n, Stats.medianMs(times), Stats.percentileMs(times, 99), reads, failed);
  }
}
