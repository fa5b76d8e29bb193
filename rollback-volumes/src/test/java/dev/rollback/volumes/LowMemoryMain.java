package dev.rollback.volumes;

import dev.rollback.docker.Docker;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.net.URI;
import java.nio.file.Path;

/**
 * Run in a child JVM at -Xmx64m: backs a volume up into a directory and restores it into another volume, then
 * prints {@code DONE <archive bytes> <peak heap used, sampled every 5 ms> <max heap>}.
 */
public final class LowMemoryMain {
  private LowMemoryMain() {}

  /**
   * @param args docker host, helper image, source volume, target volume, backup directory, gzip|zstd
   */
  public static void main(String[] args) {
    AtomicLong peak = new AtomicLong();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    Thread sampler = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        LockSupport.parkNanos(5_000_000);
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    try (Docker docker = Docker.at(URI.create(args[0]))) {
      Compression c = args[5].equals("zstd") ? Compression.zstd() : Compression.gzip(1);
      // args[6]: "engine-then-direct" backs up through the archive API and restores into the directory,
      // "direct-then-engine" the other way round: both paths, both directions
      boolean engineFirst = args.length > 6 && args[6].equals("engine-then-direct");
      Path archive = VolumeBackup.at(Path.of(args[4])).withCompression(c)
          .backup(DockerVolume.named(docker, args[2]).withHelperImage(args[1]).withDirectAccess(!engineFirst));
      VolumeArchive.restore(archive, DockerVolume.named(docker, args[3]).withHelperImage(args[1])
          .withDirectAccess(engineFirst));
      sampler.interrupt();
      System.out.println("DONE " + archive.toFile().length() + " " + peak.get() + " "
          + memory.getHeapMemoryUsage().getMax());
    }
  }
}
