package dev.rollback.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.SshExecutor;
import dev.rollback.exec.SshOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link SshExecutor} against the OpenSSH client, side by side in one run, on the test OpenSSH server that
 * {@code scripts/test-env.sh} starts (keys {@code ssh.*} of its env file).
 *
 * <ol>
 *   <li>Streaming throughput: 500 MB of pseudo-random bytes, made on the fly, into {@code cat > FILE} on the
 *       server; SshExecutor with a fresh connection per transfer (like for like with one {@code ssh} process per
 *       transfer) and on a reused connection, against {@code ssh ... 'cat > FILE'} fed the same bytes, with
 *       OpenSSH's default cipher and with aes128-gcm (what SshExecutor negotiates). Repetitions interleaved;
 *       medians.</li>
 *   <li>Per-command latency of {@code true}: 200 commands on one reused SshExecutor connection, 100
 *       {@code ssh -S PATH host true} through an OpenSSH ControlMaster, 20 fresh SshExecutor connections and 20
 *       fresh {@code ssh host true} processes, interleaved; medians and p99.</li>
 * </ol>
 *
 * <p>Prints one JSON object on stdout and one human-readable line per figure on stderr. Run it with:
 * <pre>
 * mvn -q -B -pl rollback-core,benchmarks -am package -DskipTests
 * java -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:$(cat benchmarks/target/classpath.txt)" \
 *     dev.rollback.benchmarks.SshBenchmark
 * </pre>
 * Options (system properties): {@code -Drollback.test.env=FILE}, {@code -Dbench.mb=500}, {@code -Dbench.reps=3}.
 */
public final class SshBenchmark {
  private static final int CHUNK = 64 * 1024;

  private final String host;
  private final int port;
  private final String user;
  private final Path key;
  private final Path knownHosts;
  private final SshOptions options;
  private final Map<String, Object> json = new LinkedHashMap<>();

  private SshBenchmark(Properties env) {
    host = require(env, "ssh.host");
    port = Integer.parseInt(require(env, "ssh.port"));
    user = require(env, "ssh.user");
    key = Path.of(require(env, "ssh.key"));
    knownHosts = Path.of(require(env, "ssh.known_hosts"));
    options = SshOptions.defaults().withHost(host).withPort(port).withUser(user).withIdentityFile(key)
        .withKnownHosts(knownHosts);
  }

  /**
   * Runs both parts and prints the figures.
   *
   * @param args none
   * @throws Exception when a run fails; a benchmark that cannot measure says so and stops
   */
  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    SshBenchmark b = new SshBenchmark(loadEnv());
    int mb = Integer.getInteger("bench.mb", 500);
    int reps = Integer.getInteger("bench.reps", 3);
    b.json.put("server", b.user + "@" + b.host + ":" + b.port);
    b.json.put("cpus", Runtime.getRuntime().availableProcessors());
    b.json.put("java", System.getProperty("java.version"));
    b.json.put("openssh", opensshVersion());
    b.throughput(mb, reps);
    b.latency();
    System.out.println(new ObjectMapper().writeValueAsString(b.json));
  }

  // --- streaming throughput ---

  private void throughput(int mb, int reps) throws Exception {
    long bytes = (long) mb * 1_000_000L;
    String file = "/tmp/rollback-bench-" + ProcessHandle.current().pid() + ".bin";
    List<Double> fresh = new ArrayList<>();
    List<Double> reused = new ArrayList<>();
    List<Double> openssh = new ArrayList<>();
    List<Double> opensshGcm = new ArrayList<>();
    try (SshExecutor ssh = SshExecutor.connect(options)) {
      // Warm-up, not counted: JIT for the JVM side, page cache and sshd for both.
      sshjUpload(ssh, file, bytes / 5);
      opensshUpload(file, bytes / 5, null);
      for (int i = 0; i < reps; i++) {
        long t = System.nanoTime();
        try (SshExecutor once = SshExecutor.connect(options)) {
          sshjUpload(once, file, bytes);
        }
        fresh.add(mbPerSecond(bytes, t));
        checkSize(ssh, file, bytes);

        t = System.nanoTime();
        sshjUpload(ssh, file, bytes);
        reused.add(mbPerSecond(bytes, t));
        checkSize(ssh, file, bytes);

        t = System.nanoTime();
        opensshUpload(file, bytes, null);
        openssh.add(mbPerSecond(bytes, t));
        checkSize(ssh, file, bytes);

        t = System.nanoTime();
        opensshUpload(file, bytes, "aes128-gcm@openssh.com");
        opensshGcm.add(mbPerSecond(bytes, t));
        checkSize(ssh, file, bytes);
      }
      // The bytes themselves, once per side: the same generator must leave the same file.
      String viaOpenssh = sha256(ssh, file);
      sshjUpload(ssh, file, bytes);
      String viaSshj = sha256(ssh, file);
      if (!viaOpenssh.equals(viaSshj)) {
        throw new IllegalStateException("files differ: OpenSSH " + viaOpenssh + ", SshExecutor " + viaSshj);
      }
      ssh.run(Command.of("rm", "-f", file)).requireSuccess();
    }
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("bytes", bytes);
    t.put("repetitions", reps);
    t.put("unit", "MB/s (10^6 bytes per second), median");
    t.put("sshexecutor_fresh_connection", summary(fresh));
    t.put("sshexecutor_reused_connection", summary(reused));
    t.put("openssh_default_cipher", summary(openssh));
    t.put("openssh_aes128_gcm", summary(opensshGcm));
    double ratio = median(fresh) / median(openssh);
    t.put("ratio_fresh_vs_openssh_default", round(ratio));
    t.put("ratio_reused_vs_openssh_default", round(median(reused) / median(openssh)));
    t.put("ratio_fresh_vs_openssh_aes128_gcm", round(median(fresh) / median(opensshGcm)));
    json.put("throughput", t);
    line("throughput %d MB: SshExecutor fresh connection %.0f MB/s, reused %.0f MB/s; OpenSSH ssh default cipher"
        + " %.0f MB/s, aes128-gcm %.0f MB/s (medians of %d)", bytes / 1_000_000, median(fresh), median(reused),
        median(openssh), median(opensshGcm), reps);
    line("throughput ratio SshExecutor/OpenSSH: %.2f (fresh vs default cipher), %.2f (reused vs default cipher),"
        + " %.2f (fresh vs aes128-gcm); aim >= 0.8", ratio, median(reused) / median(openssh),
        median(fresh) / median(opensshGcm));
  }

  private void sshjUpload(SshExecutor ssh, String file, long bytes) {
    ssh.run(Command.of("sh", "-c", "cat > \"$1\"", "sh", file)
        .withStdin(() -> new PseudoRandom(bytes), bytes + " pseudo-random bytes")).requireSuccess();
  }

  private void opensshUpload(String file, long bytes, String cipher) throws IOException, InterruptedException {
    List<String> cmd = sshCommand();
    if (cipher != null) {
      cmd.add(1, "-c");
      cmd.add(2, cipher);
    }
    cmd.add(user + "@" + host);
    cmd.add("cat > " + file);
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (InputStream in = new PseudoRandom(bytes); OutputStream out = p.getOutputStream()) {
      in.transferTo(out);
    }
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("ssh upload failed: " + cmd);
    }
  }

  private static void checkSize(SshExecutor ssh, String file, long bytes) {
    String size = ssh.run(Command.of("stat", "-c", "%s", file)).requireSuccess().stdoutTrimmed();
    if (Long.parseLong(size) != bytes) {
      throw new IllegalStateException(file + " has " + size + " bytes, expected " + bytes);
    }
  }

  private static String sha256(SshExecutor ssh, String file) {
    return ssh.run(Command.of("sha256sum", file)).requireSuccess().stdoutTrimmed().split(" ")[0];
  }

  // --- per-command latency ---

  private void latency() throws Exception {
    // Interleaved, so load from elsewhere on the machine falls on all four alike: each round runs 2 commands on
    // the reused connection and 1 through the ControlMaster, every 5th round also a fresh connection of each.
    List<Double> reused = new ArrayList<>();
    List<Double> freshSshj = new ArrayList<>();
    List<Double> freshSsh = new ArrayList<>();
    List<Double> muxed = new ArrayList<>();
    Path dir = Files.createTempDirectory("rollback-bench-mux");
    Path socket = dir.resolve("cm");
    List<String> master = sshCommand();
    master.addAll(List.of("-M", "-S", socket.toString(), "-o", "ControlPersist=yes", "-f", "-N", user + "@" + host));
    run(master);
    List<String> viaMaster = sshCommand();
    viaMaster.addAll(List.of("-S", socket.toString(), user + "@" + host, "true"));
    List<String> fresh = sshCommand();
    fresh.addAll(List.of(user + "@" + host, "true"));
    try (SshExecutor ssh = SshExecutor.connect(options)) {
      for (int i = 0; i < 5; i++) { // warm-up, not counted
        ssh.run(Command.of("true")).requireSuccess();
        run(viaMaster);
      }
      for (int round = 0; round < 100; round++) {
        for (int k = 0; k < 2; k++) {
          long t = System.nanoTime();
          ssh.run(Command.of("true")).requireSuccess();
          reused.add(millisSince(t));
        }
        long t = System.nanoTime();
        run(viaMaster);
        muxed.add(millisSince(t));
        if (round % 5 == 0) {
          t = System.nanoTime();
          try (SshExecutor once = SshExecutor.connect(options)) {
            once.run(Command.of("true")).requireSuccess();
          }
          freshSshj.add(millisSince(t));
          t = System.nanoTime();
          run(fresh);
          freshSsh.add(millisSince(t));
        }
      }
    } finally {
      List<String> exit = sshCommand();
      exit.addAll(List.of("-S", socket.toString(), "-O", "exit", user + "@" + host));
      new ProcessBuilder(exit).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor(1, TimeUnit.MINUTES);
      Files.deleteIfExists(socket);
      Files.deleteIfExists(dir);
    }
    Map<String, Object> l = new LinkedHashMap<>();
    l.put("command", "true");
    l.put("unit", "ms per command, wall time in this JVM");
    l.put("sshexecutor_reused_connection", latencySummary(reused));
    l.put("sshexecutor_fresh_connection", latencySummary(freshSshj));
    l.put("openssh_fresh_process", latencySummary(freshSsh));
    l.put("openssh_controlmaster", latencySummary(muxed));
    json.put("latency", l);
    line("latency reused SshExecutor connection: median %.1f ms, p99 %.1f ms (%d commands)", median(reused),
        p99(reused), reused.size());
    line("latency fresh SshExecutor connection: median %.1f ms, p99 %.1f ms (%d)", median(freshSshj),
        p99(freshSshj), freshSshj.size());
    line("latency fresh ssh process: median %.1f ms, p99 %.1f ms (%d)", median(freshSsh), p99(freshSsh),
        freshSsh.size());
    line("latency ssh through ControlMaster: median %.1f ms, p99 %.1f ms (%d)", median(muxed), p99(muxed),
        muxed.size());
  }

  private List<String> sshCommand() {
    return new ArrayList<>(List.of("ssh", "-i", key.toString(), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
        "-o", "UserKnownHostsFile=" + knownHosts, "-o", "GlobalKnownHostsFile=/dev/null", "-o",
        "StrictHostKeyChecking=yes", "-p", String.valueOf(port)));
  }

  private static void run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("failed: " + String.join(" ", cmd));
    }
  }

  private static String opensshVersion() {
    try {
      Process p = new ProcessBuilder("ssh", "-V").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return v;
    } catch (IOException | InterruptedException e) {
      return "unknown: " + e.getMessage();
    }
  }

  // --- figures ---

  private static Map<String, Object> summary(List<Double> mbps) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("median", round(median(mbps)));
    m.put("runs", mbps.stream().map(SshBenchmark::round).toList());
    return m;
  }

  private static Map<String, Object> latencySummary(List<Double> ms) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("median", round(median(ms)));
    m.put("p99", round(p99(ms)));
    m.put("min", round(ms.stream().mapToDouble(Double::doubleValue).min().orElse(0)));
    m.put("max", round(ms.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
    m.put("count", ms.size());
    return m;
  }

  private static double median(List<Double> xs) {
    double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** Nearest-rank p99: with fewer than 100 samples it is the maximum. */
  private static double p99(List<Double> xs) {
    double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int rank = (int) Math.ceil(0.99 * s.length);
    return s[Math.max(0, rank - 1)];
  }

  private static double round(double d) {
    return Math.round(d * 100) / 100.0;
  }

  private static double mbPerSecond(long bytes, long startNanos) {
    return bytes / 1e6 / ((System.nanoTime() - startNanos) / 1e9);
  }

  private static double millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e6;
  }

  private static void line(String format, Object... args) {
    System.err.println(String.format(Locale.ROOT, format, args));
  }

  private static String require(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException("key '" + key + "' missing from the test environment file;"
          + " run scripts/test-env.sh as root");
    }
    return v.trim();
  }

  /** The file test-env.sh writes, found as TestEnvironment finds it. */
  private static Properties loadEnv() throws IOException {
    String f = System.getProperty("rollback.test.env");
    if (f == null || f.isBlank()) {
      f = System.getenv("ROLLBACK_TEST_ENV");
    }
    if (f == null || f.isBlank()) {
      f = "/var/lib/rollback-test/env.properties";
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(Path.of(f))) {
      p.load(in);
    }
    return p;
  }

  /** Deterministic pseudo-random bytes, made as they are read: the same sequence for every transfer. */
  static final class PseudoRandom extends InputStream {
    private final SplittableRandom random = new SplittableRandom(20261121L);
    private final byte[] chunk = new byte[CHUNK];
    private int pos = CHUNK;
    private long left;

    PseudoRandom(long bytes) {
      this.left = bytes;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      if (pos == CHUNK) {
        for (int i = 0; i < CHUNK; i += 8) {
          long v = random.nextLong();
          for (int k = 0; k < 8; k++) {
            chunk[i + k] = (byte) (v >>> (8 * k));
          }
        }
        pos = 0;
      }
      int n = (int) Math.min(Math.min(len, CHUNK - pos), left);
      System.arraycopy(chunk, pos, b, off, n);
      pos += n;
      left -= n;
      return n;
    }
  }
}
