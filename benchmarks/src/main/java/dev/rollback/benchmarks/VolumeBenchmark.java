package dev.rollback.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.docker.Docker;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Backing up and restoring a 1 GiB Docker volume of mixed files (a third random bytes, the rest text, 7,000 files),
 * side by side in one run: the SDK (gzip and zstd, in a JVM with {@code -Xmx64m}), GNU {@code tar czf} and
 * {@code tar --zstd} of the volume's directory on the host, and seed 004's helper container
 * ({@code docker run --rm -v vol:/data -v out:/backup busybox tar czf ...}). Prints one JSON object and one human
 * line per figure: wall time (for the peers process start to exit; for the SDK the call inside the JVM, as an
 * embedding program sees it, with the child process's wall time in the note), throughput over the tree's bytes,
 * archive size, peak memory (max RSS; for the SDK also the peak heap in use), and the host's 1-minute load average
 * when the figure was taken (the times are only comparable within one run on an otherwise idle host).
 *
 * <p>Needs root (it writes the tree straight into the volume's mount point) and the Docker Engine and busybox image
 * from {@code scripts/test-env.sh}. Run it with:
 *
 * <pre>
 * mvn -q -B -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/classpath.txt) dev.rollback.benchmarks.VolumeBenchmark
 * </pre>
 *
 * <p>Options: {@code --mib 1024}, {@code --files 7000}, {@code --work /var/tmp/rbvol-bench} (archives and host
 * restores; removed at the end).
 */
public final class VolumeBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double MIB = 1024.0 * 1024.0;
  private final Docker docker;
  private final String image;
  private final Path work;
  private static final int ZSTD_RESTORE_ROUNDS = 3;
  private final List<String> volumes = new ArrayList<>();
  private final Map<String, List<Double>> secondsByFigure = new LinkedHashMap<>();
  private long treeBytes;

  private VolumeBenchmark(Docker docker, String image, Path work) {
    this.docker = docker;
    this.image = image;
    this.work = work;
  }

  /**
   * @param args options, see the class comment
   * @throws Exception when a step fails
   */
  public static void main(String[] args) throws Exception {
    long mib = 1024;
    int files = 7000;
    Path work = Path.of("/var/tmp/rbvol-bench");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--mib" -> mib = Long.parseLong(args[i + 1]);
        case "--files" -> files = Integer.parseInt(args[i + 1]);
        case "--work" -> work = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --mib, --files, --work)");
      }
    }
    Properties env = new Properties();
    Path envFile = Path.of("/var/lib/rollback-test/env.properties");
    if (Files.exists(envFile)) {
      try (InputStream in = Files.newInputStream(envFile)) {
        env.load(in);
      }
    }
    try (Docker docker = Docker.at(URI.create(env.getProperty("docker.host", Docker.DEFAULT_HOST)))) {
      VolumeBenchmark b = new VolumeBenchmark(docker,
          env.getProperty("docker.busybox_image", "rollback-test/busybox:latest"), work);
      try {
        b.run(mib * 1024 * 1024, files);
      } finally {
        b.cleanUp();
      }
    }
  }

  private void run(long bytes, int files) throws Exception {
    deleteTree(work);
    long deleted = System.nanoTime();
    Files.createDirectories(work);
    String src = volume("src");
    Path mount = mountpoint(src);
    long t0 = System.nanoTime();
    treeBytes = MixedTree.write(mount, bytes, files, 42);
    System.err.printf(Locale.ROOT, "tree: %d files, %.0f MiB in %s, written in %.1f s%n", files, treeBytes / MIB,
        src, (System.nanoTime() - t0) / 1e9);
    // backups
    shell("backup", "gzip", "GNU tar czf (host)", mount, work.resolve("host.tar.gz"),
        "tar", "czf", work.resolve("host.tar.gz").toString(), "-C", mount.toString(), ".");
    shell("backup", "zstd", "GNU tar --zstd (host)", mount, work.resolve("host.tar.zst"),
        "tar", "--zstd", "-cf", work.resolve("host.tar.zst").toString(), "-C", mount.toString(), ".");
    shell("backup", "gzip", "seed 004 helper container (busybox tar czf)", mount,
        work.resolve("seed.tar.gz"),
        "docker", "run", "--rm", "-v", src + ":/data:ro", "-v", work + ":/backup", image,
        "tar", "czf", "/backup/seed.tar.gz", "-C", "/data", ".");
    Path sdkGz = sdk("backup", "gzip", src, Files.createDirectories(work.resolve("sdk-gz")).toString());
    Path sdkZst = sdk("backup", "zstd", src, Files.createDirectories(work.resolve("sdk-zst")).toString());
    // the same volume through the Engine's archive API, as with a daemon on another host
    sdk("backup-engine", "gzip", src, Files.createDirectories(work.resolve("sdk-engine-gz")).toString());
    sdk("backup-engine", "zstd", src, Files.createDirectories(work.resolve("sdk-engine-zst")).toString());
    // restores
    quietAfterDeletions(deleted);
    // GNU tar unpacks into a fresh volume's directory too: on this host a write under /var/lib/docker costs the
    // kernel about five times what the same write under /var/tmp does (tar -x: 7.6 s of system time against 1.4 s)
    Path into = mountpoint(volume("tar-gz"));
    shell("restore", "gzip", "GNU tar xzf (host, into a volume)", work.resolve("host.tar.gz"), null,
        "tar", "xzf", work.resolve("host.tar.gz").toString(), "-C", into.toString());
    check(into);
    String seedTarget = volume("seed");
    shell("restore", "gzip", "seed 004 helper container (rm -rf, busybox tar xzf)", work.resolve("seed.tar.gz"),
        null, "docker", "run", "--rm", "-v", seedTarget + ":/data", "-v", work + ":/backup", image,
        "sh", "-c", "rm -rf /data/* && tar xzf /backup/seed.tar.gz -C /data");
    check(mountpoint(seedTarget));
    String gzTarget = volume("sdk-gz") + "," + volume("sdk-gz-2");
    sdk("restore", "gzip", gzTarget, sdkGz.toString());
    for (String v : gzTarget.split(",")) {
      check(mountpoint(v));
    }
    // zstd restores take a second or two, where one figure each is mostly noise on a shared host: three rounds of
    // GNU tar then the SDK (a fresh JVM's call and a warm one), each into fresh volumes, and the medians
    for (int round = 1; round <= ZSTD_RESTORE_ROUNDS; round++) {
      into = mountpoint(volume("tar-zst-" + round));
      shell("restore", "zstd", "GNU tar --zstd -x (host, into a volume)", work.resolve("host.tar.zst"), null,
          "tar", "--zstd", "-xf", work.resolve("host.tar.zst").toString(), "-C", into.toString());
      check(into);
      String zstTarget = volume("sdk-zst-" + round) + "," + volume("sdk-zst-" + round + "-2");
      sdk("restore", "zstd", zstTarget, sdkZst.toString());
      for (String v : zstTarget.split(",")) {
        check(mountpoint(v));
      }
    }
    String gzEngine = volume("sdk-engine-gz") + "," + volume("sdk-engine-gz-2");
    sdk("restore-engine", "gzip", gzEngine, sdkGz.toString());
    for (String v : gzEngine.split(",")) {
      check(mountpoint(v));
    }
    String zstEngine = volume("sdk-engine-zst") + "," + volume("sdk-engine-zst-2");
    sdk("restore-engine", "zstd", zstEngine, sdkZst.toString());
    for (String v : zstEngine.split(",")) {
      check(mountpoint(v));
    }
    printMedians();
  }

  /** One line and one JSON object per method measured more than once: the median of its seconds. */
  private void printMedians() throws IOException {
    for (var e : secondsByFigure.entrySet()) {
      List<Double> v = new ArrayList<>(e.getValue());
      if (v.size() < 2) {
        continue;
      }
      v.sort(null);
      double median = v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
      ObjectNode n = JSON.createObjectNode();
      n.put("benchmark", "volume");
      n.put("median_of", e.getKey());
      n.put("runs", v.size());
      n.put("median_seconds", round(median));
      n.putPOJO("seconds", e.getValue().stream().map(VolumeBenchmark::round).toList());
      System.out.println(JSON.writeValueAsString(n));
      System.out.printf(Locale.ROOT, "median  %-61s %6.2f s  of %s%n", e.getKey(), median, e.getValue().stream()
          .map(d -> String.format(Locale.ROOT, "%.2f", d)).toList());
    }
  }

  /** Runs a peer under /usr/bin/time and prints its figure. */
  private void shell(String op, String format, String method, Path input, Path archive, String... argv)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-f", "MAXRSS %M"));
    cmd.addAll(List.of(argv));
    settle(input);
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (exit != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " exited " + exit + ": " + err);
    }
    long rssKb = Long.parseLong(err.lines().filter(l -> l.startsWith("MAXRSS ")).reduce((a, b) -> b).orElseThrow()
        .substring(7).trim());
    boolean docker = argv[0].equals("docker");
    figure(op, format, method, seconds, archive == null ? -1 : Files.size(archive), -1,
        docker ? -1 : rssKb, docker ? "max RSS is the docker CLI's, not the container's: not reported" : null);
  }

  /** Runs the SDK in a JVM with -Xmx64m and prints its figure. */
  private Path sdk(String op, String format, String volume, String pathArg) throws Exception {
    Path input = op.startsWith("backup") ? mountpoint(volume) : Path.of(pathArg);
    // the child settles before each of its calls, as this process does before each peer's run
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp",
        System.getProperty("java.class.path"), VolumeBenchmarkChild.class.getName(), op, format,
        docker.host().toString(), image, volume, pathArg, input.toString());
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<String> results = out.lines().filter(l -> l.startsWith("RESULT ")).toList();
    if (exit != 0 || results.size() != 2) {
      throw new IllegalStateException("SDK " + op + " " + format + " exited " + exit + ": " + out);
    }
    Path archive = null;
    for (int call = 0; call < 2; call++) {
      String[] f = results.get(call).split(" ");
      archive = Path.of(f[1]);
      String method = "SDK " + (format.equals("gzip") ? "gzip -6" : "zstd -3") + ", "
          + (op.endsWith("-engine") ? "via archive API" : "direct") + (call == 0 ? ", 1st call" : ", 2nd call")
          + ", -Xmx64m";
      figure(op.replace("-engine", ""), format, method, Double.parseDouble(f[4]), Files.size(archive),
          Long.parseLong(f[2]), Long.parseLong(f[3]), String.format(Locale.ROOT, "DockerVolume%s, %d threads; "
              + "seconds are the call inside the JVM (the %s call of a fresh JVM), as an embedding program sees it; "
              + "the whole process, JVM start-up and both calls, took %.2f s", op.endsWith("-engine")
              ? ".withDirectAccess(false)" : " (direct access, the default)", Runtime.getRuntime()
              .availableProcessors(), call == 0 ? "first" : "second", seconds));
    }
    return archive;
  }

  private void figure(String op, String format, String method, double seconds, long archiveBytes, long heapBytes,
      long rssKb, String note) throws IOException {
    double mibPerS = treeBytes / MIB / seconds;
    ObjectNode n = JSON.createObjectNode();
    n.put("benchmark", "volume").put("op", op).put("format", format).put("method", method)
        .put("tree_bytes", treeBytes).put("seconds", round(seconds)).put("mib_per_s", round(mibPerS));
    if (archiveBytes >= 0) {
      n.put("archive_bytes", archiveBytes);
    }
    if (heapBytes >= 0) {
      n.put("peak_heap_mib", round(heapBytes / MIB));
    }
    if (rssKb >= 0) {
      n.put("peak_rss_mib", round(rssKb / 1024.0));
    }
    double load = loadAverage();
    n.put("load_avg_1m", load);
    secondsByFigure.computeIfAbsent(op + " " + format + " " + method, k -> new ArrayList<>()).add(seconds);
    if (note != null) {
      n.put("note", note);
    }
    System.out.println(JSON.writeValueAsString(n));
    System.out.printf(Locale.ROOT, "%-7s %-4s %-56s %6.1f s %6.1f MiB/s%s%s%s  (load %.1f)%n", op, format, method,
        seconds, mibPerS,
        archiveBytes >= 0 ? String.format(Locale.ROOT, "  archive %.0f MiB", archiveBytes / MIB) : "",
        heapBytes >= 0 ? String.format(Locale.ROOT, "  heap peak %.0f MiB", heapBytes / MIB) : "",
        rssKb >= 0 ? String.format(Locale.ROOT, "  max RSS %.0f MiB", rssKb / 1024.0) : "", load);
  }

  /** Checks that a restore holds as many bytes as the tree. */
  private void check(Path root) throws IOException {
    long total;
    try (Stream<Path> s = Files.walk(root)) {
      total = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    if (total != treeBytes) {
      throw new IllegalStateException("restore into " + root + " holds " + total + " bytes, expected " + treeBytes);
    }
  }

  /** @return the 1-minute load average when the figure was taken: other work on the host skews the times */
  private static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private String volume(String what) {
    String name = "rbvol-bench-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    docker.client().createVolumeCmd().withName(name).exec();
    volumes.add(name);
    return name;
  }

  private Path mountpoint(String volume) {
    return Path.of(docker.client().inspectVolumeCmd(volume).exec().getMountpoint());
  }

  private void cleanUp() {
    for (String v : volumes) {
      try {
        docker.client().removeVolumeCmd(v).exec();
      } catch (RuntimeException e) {
        System.err.println("could not remove volume " + v + ": " + e.getMessage());
      }
    }
    try {
      deleteTree(work);
    } catch (IOException e) {
      System.err.println("could not remove " + work + ": " + e.getMessage());
    }
  }

  /**
   * Waits until a minute has passed since many files were deleted (flushed first). For a minute after an inode is
   * freed (six while its inode table block is unwritten), ext4 skips it when it allocates new inodes; after tens of
   * thousands of deletions, each new file's allocation walks past all of them, and a restore measured then took up
   * to three times as long, in kernel time, whichever tool it was.
   */
  private static void quietAfterDeletions(long deletedAtNanos) throws Exception {
    sync();
    long waitMs = 65_000 - (System.nanoTime() - deletedAtNanos) / 1_000_000;
    if (waitMs > 0) {
      System.err.printf(Locale.ROOT, "waiting %.0f s: files were deleted less than a minute ago%n", waitMs / 1e3);
      Thread.sleep(waitMs);
    }
  }

  /**
   * Frees the page cache's clean pages (root only; skipped otherwise). A run writes some 18 GiB; once the cache
   * fills the host's memory, kswapd reclaims on one of the two cores while the figure runs on both, and restores
   * measured late in a run took up to 2.5 times as long as the same restore early in it, for either tool.
   */
  private static void dropCleanCaches() {
    try {
      Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
    } catch (IOException e) {
      // not root, or a container without it: the figures are noisier
    }
  }

  private static void sync() throws Exception {
    new ProcessBuilder("sync").start().waitFor();
  }

  /**
   * The same start for every figure: earlier writes flushed, the page cache emptied of them, and the figure's input
   * (the tree, or the archive) read once, so each tool finds it in the page cache; this host reclaims idle page
   * cache on its own, which otherwise made whichever tool came first after a pause read from disk.
   */
  static void settle(Path input) throws Exception {
    sync();
    dropCleanCaches();
    byte[] buf = new byte[1 << 20];
    List<Path> files;
    try (var walk = Files.walk(input)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        while (in.read(buf) >= 0) {
          // reading is the point
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
