package dev.rollback.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;

/**
 * Where the seed drills report their time to recover: printed, and appended as one JSON line to
 * {@code target/drill-times.jsonl}, which docs/seeds.md's table quotes.
 */
public final class DrillTimes {
  private DrillTimes() {}

  /**
   * Records a measured time.
   *
   * @param seed e.g. {@code 000}
   * @param what what was measured, e.g. {@code "time to recover, to previous"}
   * @param time the duration
   * @return the duration, for chaining
   */
  public static Duration record(String seed, String what, Duration time) {
    append(String.format(java.util.Locale.ROOT, "{\"seed\":\"%s\",\"what\":\"%s\",\"ms\":%d,\"at\":\"%s\"}",
        seed, what, time.toMillis(), Instant.now()));
    System.out.println("seed " + seed + " " + what + ": " + time.toMillis() + " ms");
    return time;
  }

  /**
   * Records a measured count.
   *
   * @param seed e.g. {@code 004}
   * @param what what was counted
   * @param count the count
   */
  public static void count(String seed, String what, long count) {
    append(String.format(java.util.Locale.ROOT, "{\"seed\":\"%s\",\"what\":\"%s\",\"count\":%d,\"at\":\"%s\"}",
        seed, what, count, Instant.now()));
    System.out.println("seed " + seed + " " + what + ": " + count);
  }

  private static void append(String line) {
    try {
      Files.writeString(Path.of("target/drill-times.jsonl"), line + "\n", StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
