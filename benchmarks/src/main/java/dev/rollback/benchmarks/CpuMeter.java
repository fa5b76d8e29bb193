package dev.rollback.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU spent since {@link #start()}: by this JVM, and by the whole machine (every process and the kernel, from
 * /proc/stat), so a benchmark can say whether a run was bound by its own work or by the servers it talks to.
 */
final class CpuMeter {
  private static final double TICK_S = 0.01; // USER_HZ is 100 on Linux
  private final long processNanos;
  private final long machineTicks;

  private CpuMeter(long processNanos, long machineTicks) {
    this.processNanos = processNanos;
    this.machineTicks = machineTicks;
  }

  /** @return a meter reading from now */
  static CpuMeter start() {
    return new CpuMeter(processNanos(), machineTicks());
  }

  /** @return CPU seconds this JVM used since the start */
  double processSeconds() {
    return (processNanos() - processNanos) / 1e9;
  }

  /** @return CPU seconds every core of the machine was busy since the start (user, nice, system, irq, softirq) */
  double machineBusySeconds() {
    return (machineTicks() - machineTicks) * TICK_S;
  }

  private static long processNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...
      return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
          + Long.parseLong(f[7]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
