package dev.rollback.benchmarks;

import dev.rollback.docker.Docker;
import dev.rollback.volumes.Compression;
import dev.rollback.volumes.DockerVolume;
import dev.rollback.volumes.VolumeArchive;
import dev.rollback.volumes.VolumeBackup;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The SDK's side of {@link VolumeBenchmark}, run in its own JVM (the benchmark starts it with {@code -Xmx64m}):
 * a backup or restore of a Docker volume, done twice (a fresh JVM's first call, then a warm one), each followed by
 * {@code RESULT <archive> <peak heap bytes so far> <VmHWM kB so far> <seconds in the call>}.
 */
public final class VolumeBenchmarkChild {
  private VolumeBenchmarkChild() {}

  /**
   * @param args {@code backup|backup-engine|restore|restore-engine}, {@code gzip|zstd}, docker host, helper image,
   *     volume (a restore: two fresh ones, {@code first,second}, one per call), and the backup directory (backup)
   *     or the archive (restore), and the input to settle before each call (the volume's directory, or the
   *     archive); {@code -engine} turns direct access off
   * @throws Exception when a call fails
   */
  public static void main(String[] args) throws Exception {
    AtomicLong peak = new AtomicLong();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    Thread sampler = new Thread(() -> {
      while (true) {
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        LockSupport.parkNanos(2_000_000);
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    Compression c = args[1].equals("zstd") ? Compression.zstd() : Compression.gzip();
    try (Docker docker = Docker.at(URI.create(args[2]))) {
      // "-engine": every byte through the Engine's archive API, as with a remote daemon
      // a restore names two fresh volumes, "first,second": each call unpacks into an empty one, as GNU tar does
      String[] volumes = args[4].split(",");
      // twice: the first call in a fresh JVM (classes, JIT, the Docker client's start), then a warm one, as in a
      // deploy service that has backed something up before; each is timed from its own start
      for (int call = 1; call <= 2; call++) {
        DockerVolume volume = DockerVolume.named(docker, volumes[Math.min(call, volumes.length) - 1])
            .withHelperImage(args[3]).withDirectAccess(!args[0].endsWith("-engine"));
        // flushed and in the page cache, as for every peer's run (outside the timed call)
        VolumeBenchmark.settle(Path.of(args[6]));
        long t0 = System.nanoTime();
        Path result;
        if (args[0].startsWith("backup")) {
          result = VolumeBackup.at(Path.of(args[5])).withCompression(c).backup(volume);
        } else {
          result = Path.of(args[5]);
          VolumeArchive.restore(result, volume);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        System.out.println("RESULT " + result + " " + peak.get() + " " + vmHwmKb() + " " + seconds);
      }
    }
  }

  private static long vmHwmKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
