package dev.rollback.benchmarks;

import dev.rollback.RollbackPlan;
import dev.rollback.exec.SshExecutor;
import dev.rollback.exec.SshOptions;
import dev.rollback.fleet.Fleet;
import dev.rollback.fleet.FleetReport;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.release.ReleaseDirectory;
import dev.rollback.release.SymlinkRollback;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The same rollback on the same 10, 20 and 50 hosts by Capistrano's {@code cap benchN deploy:rollback} and by
 * {@link Fleet} ({@link SymlinkRollback} over {@link SshExecutor}, same hosts, same key, same known_hosts),
 * side by side in one run: each rep resets every host's /srv/app, times one tool, checks that every host's
 * {@code current} now names the previous release, and the same for the other tool. Prints human lines on stderr
 * and one JSON object on stdout. Not a test. Needs root (sshd in mount namespaces) and Debian's capistrano.
 *
 * <pre>
 * FleetBenchmark [--counts 10,20,50] [--reps 3] [--warmup 2] [--parallelism N|&lt;n&gt;] [--base-port 2400]
 *                [--work /var/tmp/rollback-fleet-bench] [--max-load 1.5] [--max-wait-s 600]
 *                [--root-home clean|machine] [--key-type rsa|ed25519]
 * </pre>
 *
 * <p>The warm-up reps (untimed) roll the largest N back with each tool: Ruby's gems and the page cache for
 * Capistrano, classes and the JIT for this JVM, as in a deploy service that has run a while. Fleet runs in this
 * JVM, as an embedded SDK does; its time includes opening every connection, a canary of
 * one host, then the rest at once ({@code --parallelism N}, the default, means as many as there are hosts), a
 * local lock and a JSON Lines journal per host, and checking the target release's manifest before the switch.
 * {@code --root-home machine} keeps this machine's /root on the hosts (its ~/.bashrc runs {@code pyenv init} for
 * every SSH command of either tool); the default gives each host an empty one, as a deploy host has.
 * {@code --key-type} picks the host key and the client key both tools use: {@code rsa} (the default, 3072 bits, as
 * in shared/notes/peers.md) or {@code ed25519} (ssh-keygen's default type).
 */
public final class FleetBenchmark {
  private FleetBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args see the class description
   */
  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Map<String, String> opt = options(args);
    List<Integer> counts = Arrays.stream(opt.get("counts").split(",")).map(String::trim).map(Integer::parseInt)
        .toList();
    int reps = Integer.parseInt(opt.get("reps"));
    if (!List.of("clean", "machine").contains(opt.get("root-home"))) {
      throw new IllegalArgumentException("--root-home is clean or machine, was " + opt.get("root-home"));
    }
    Path work = Path.of(opt.get("work"));
    requireRootAndCapistrano();
    double startLoad = waitForLoad(Double.parseDouble(opt.get("max-load")),
        Duration.ofSeconds(Long.parseLong(opt.get("max-wait-s"))));

    int max = counts.stream().mapToInt(Integer::intValue).max().orElseThrow();
    List<Map<String, Object>> results = new ArrayList<>();
    try (BenchHosts hosts = BenchHosts.start(work, max, Integer.parseInt(opt.get("base-port")),
        opt.get("root-home").equals("clean"), opt.get("key-type"))) {
      Runtime.getRuntime().addShutdownHook(new Thread(hosts::close));
      CapistranoProject cap = CapistranoProject.write(work.resolve("capistrano"), hosts, counts);
      Files.createDirectories(work.resolve("logs"));
      // every run starts from empty journals, so earlier runs' history does not weigh on this one's reads
      BenchHosts.deleteTree(work.resolve("journal"));
      for (int w = 1; w <= Integer.parseInt(opt.get("warmup")); w++) {
        // untimed, at the largest N: the JVM's classes and JIT, Ruby's gems and the page cache, for both tools alike
        int n = max;
        hosts.reset(n);
        cap.rollback(n, work.resolve("logs/cap-warmup-" + w + ".log"));
        hosts.reset(n);
        fleet(hosts, n, n, work).run();
      }
      for (int n : counts) {
        int parallelism = opt.get("parallelism").equals("N") ? n : Integer.parseInt(opt.get("parallelism"));
        double load = load1();
        List<Double> capS = new ArrayList<>();
        List<Double> fleetS = new ArrayList<>();
        List<Double> connectS = new ArrayList<>();
        List<Double> canaryS = new ArrayList<>();
        List<Double> fleetJvmCpuS = new ArrayList<>();
        List<Double> fleetBusyS = new ArrayList<>();
        for (int rep = 1; rep <= reps; rep++) {
          hosts.reset(n);
          long t0 = System.nanoTime();
          cap.rollback(n, work.resolve("logs/cap-" + n + "-" + rep + ".log"));
          capS.add(seconds(t0));
          check("capistrano", hosts, n);

          hosts.reset(n);
          CpuMeter cpu = CpuMeter.start();
          t0 = System.nanoTime();
          FleetReport r = fleet(hosts, n, parallelism, work).run();
          fleetS.add(seconds(t0));
          fleetJvmCpuS.add(cpu.processSeconds());
          fleetBusyS.add(cpu.machineBusySeconds());
          if (r.outcome() != FleetReport.Outcome.ROLLED_BACK) {
            throw new IllegalStateException("Fleet did not roll back " + n + " hosts:\n" + r.toText());
          }
          check("Fleet", hosts, n);
          connectS.add(r.connectDuration().toNanos() / 1e9);
          canaryS.add(r.waves().get(0).duration().toNanos() / 1e9);
          System.err.printf(Locale.ROOT, "  N=%d rep %d: capistrano %.2f s, fleet %.2f s (connect %.2f, canary %.2f,"
              + " rest %.2f; cpu: this jvm %.2f s, machine %.2f s)%n", n, rep, capS.get(rep - 1), fleetS.get(rep - 1),
              connectS.get(rep - 1), canaryS.get(rep - 1),
              r.waves().size() > 1 ? r.waves().get(1).duration().toNanos() / 1e9 : 0.0, fleetJvmCpuS.get(rep - 1),
              fleetBusyS.get(rep - 1));
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("hosts", n);
        row.put("fleet_parallelism", parallelism);
        row.put("load1_at_start", load);
        row.put("capistrano_s", capS);
        row.put("capistrano_median_s", median(capS));
        row.put("fleet_s", fleetS);
        row.put("fleet_median_s", median(fleetS));
        row.put("fleet_connect_median_s", median(connectS));
        row.put("fleet_canary_median_s", median(canaryS));
        row.put("fleet_jvm_cpu_median_s", median(fleetJvmCpuS));
        row.put("fleet_machine_busy_median_s", median(fleetBusyS));
        row.put("speedup", median(capS) / median(fleetS));
        results.add(row);
      }
    }
    print(results, reps, startLoad, load1(), opt);
  }

  private static Fleet fleet(BenchHosts hosts, int n, int parallelism, Path work) {
    SshOptions base = SshOptions.defaults().withUser("root").withHost("127.0.0.1")
        .withIdentityFile(hosts.clientKey()).withKnownHosts(hosts.knownHosts())
        .withConnectTimeout(Duration.ofSeconds(30)).withCommandTimeout(Duration.ofSeconds(60));
    return Fleet.builder("bench" + n).hosts(hosts.names(n))
        .connectWith(h -> SshExecutor.connect(base.withPort(hosts.port(h))))
        .planFor((h, ssh) -> RollbackPlan.builder("app@" + h)
            .step(SymlinkRollback.of(ReleaseDirectory.at(ssh, BenchHosts.APP_DIR)).toPrevious())
            .lock(TargetLock.inDirectory(work.resolve("locks")))
            .journal(Journal.jsonLines(work.resolve("journal/" + h + ".jsonl")))
            .logging(false)
            .build())
        .canary(1).parallelism(parallelism).hostDeadline(Duration.ofMinutes(5)).build();
  }

  private static void check(String tool, BenchHosts hosts, int n) throws IOException {
    List<String> wrong = hosts.notRolledBack(n);
    if (!wrong.isEmpty()) {
      throw new IllegalStateException(tool + " left hosts not on release " + BenchHosts.PREVIOUS + ": " + wrong);
    }
  }

  private static void print(List<Map<String, Object>> results, int reps, double startLoad, double endLoad,
      Map<String, String> opt) throws IOException, InterruptedException {
    System.err.println("fleet rollback, Capistrano " + capistranoVersion() + " vs rollback Fleet, " + opt.get("key-type")
        + " keys, median of " + reps
        + " (1-min load " + fmt(startLoad) + " at start, " + fmt(endLoad) + " at end, "
        + Runtime.getRuntime().availableProcessors() + " cores):");
    for (Map<String, Object> r : results) {
      System.err.printf(Locale.ROOT, "  N=%-3d capistrano %6.2f s   fleet %6.2f s   %.1fx faster   (load %.2f)%n",
          (Integer) r.get("hosts"), (Double) r.get("capistrano_median_s"), (Double) r.get("fleet_median_s"),
          (Double) r.get("speedup"), (Double) r.get("load1_at_start"));
    }
    double[] capSlope = slope(results, "capistrano_median_s");
    double[] fleetSlope = slope(results, "fleet_median_s");
    System.err.printf(Locale.ROOT, "  growth: capistrano %.3f s/host, fleet %.3f s/host (least squares over N)%n",
        capSlope[0], fleetSlope[0]);

    StringBuilder json = new StringBuilder("{\n");
    json.append("  \"benchmark\": \"fleet-rollback\",\n");
    json.append("  \"at\": \"").append(Instant.now()).append("\",\n");
    json.append("  \"cores\": ").append(Runtime.getRuntime().availableProcessors()).append(",\n");
    json.append("  \"load1_start\": ").append(fmt(startLoad)).append(",\n");
    json.append("  \"load1_end\": ").append(fmt(endLoad)).append(",\n");
    json.append("  \"capistrano\": \"").append(capistranoVersion()).append("\",\n");
    json.append("  \"capistrano_command\": \"cap benchN deploy:rollback\",\n");
    json.append("  \"fleet\": {\"canary\": 1, \"parallelism\": \"").append(opt.get("parallelism"))
        .append("\", \"lock\": \"local file\", \"journal\": \"json lines per host\", \"manifest_checked\": true},\n");
    json.append("  \"root_home_on_hosts\": \"").append(opt.get("root-home")).append("\",\n");
    json.append("  \"key_type\": \"").append(opt.get("key-type")).append("\",\n");
    json.append("  \"files_per_release\": ").append(BenchHosts.FILES_PER_RELEASE).append(",\n");
    json.append("  \"reps\": ").append(reps).append(",\n");
    json.append("  \"results\": [\n");
    json.append(results.stream().map(FleetBenchmark::jsonRow).collect(Collectors.joining(",\n")));
    json.append("\n  ],\n");
    json.append("  \"growth_s_per_host\": {\"capistrano\": ").append(fmt(capSlope[0])).append(", \"fleet\": ")
        .append(fmt(fleetSlope[0])).append("}\n}");
    System.out.println(json);
  }

  private static String jsonRow(Map<String, Object> r) {
    return "    {" + r.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + jsonValue(e.getValue()))
        .collect(Collectors.joining(", ")) + "}";
  }

  private static String jsonValue(Object v) {
    if (v instanceof List<?> l) {
      return l.stream().map(FleetBenchmark::jsonValue).collect(Collectors.joining(", ", "[", "]"));
    }
    return v instanceof Double d ? fmt(d) : String.valueOf(v);
  }

  /** Least-squares slope and intercept of a column's medians over N. */
  private static double[] slope(List<Map<String, Object>> rows, String column) {
    int k = rows.size();
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (Map<String, Object> r : rows) {
      double x = (Integer) r.get("hosts");
      double y = (Double) r.get(column);
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    double den = k * sxx - sx * sx;
    double m = den == 0 ? 0 : (k * sxy - sx * sy) / den;
    return new double[] {m, (sy - m * sx) / k};
  }

  static double median(List<Double> xs) {
    List<Double> s = xs.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.3f", d);
  }

  static double load1() throws IOException {
    return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
  }

  /** Polls the 1-minute load until it is below {@code max} or {@code wait} has passed; returns the last reading. */
  private static double waitForLoad(double max, Duration wait) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(wait);
    double load = load1();
    while (load >= max && Instant.now().isBefore(deadline)) {
      System.err.println("1-min load " + load + " >= " + max + "; waiting (until " + deadline + ")");
      Thread.sleep(15_000); // the load average itself moves on a one-minute scale
      load = load1();
    }
    if (load >= max) {
      System.err.println("1-min load still " + load + " after " + wait.toSeconds() + " s; measuring anyway");
    }
    return load;
  }

  private static void requireRootAndCapistrano() throws IOException, InterruptedException {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException("the benchmark starts sshd in mount namespaces: run it as root");
    }
    if (capistranoVersion().isEmpty()) {
      throw new IllegalStateException("Debian's capistrano package is not installed: apt-get install capistrano"
          + " (scripts/test-env.d/70-fleet.sh installs it)");
    }
  }

  private static String capistranoVersion() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", "capistrano").redirectErrorStream(true)
        .start();
    String v = new String(p.getInputStream().readAllBytes()).strip();
    return p.waitFor() == 0 ? v : "";
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("counts", "10,20,50");
    o.put("reps", "3");
    o.put("warmup", "2");
    o.put("parallelism", "N");
    o.put("base-port", "2400");
    o.put("work", "/var/tmp/rollback-fleet-bench");
    o.put("max-load", "1.5");
    o.put("max-wait-s", "600");
    o.put("root-home", "clean");
    o.put("key-type", "rsa");
    for (int i = 0; i < args.length; i += 2) {
      String k = args[i].replaceFirst("^--", "");
      if (!o.containsKey(k) || i + 1 >= args.length) {
        throw new IllegalArgumentException("unknown option or missing value: " + args[i] + "; options: " + o);
      }
      o.put(k, args[i + 1]);
    }
    return o;
  }
}
