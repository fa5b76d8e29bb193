package dev.rollback.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a file in a tight loop on its own thread, as a service resolving {@code current/} would, counting reads
 * that fail or see content other than expected. Used where {@code current} is switched underneath it.
 */
public final class ReaderLoop implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;

  private ReaderLoop(Path file, Set<String> expected) {
    thread = new Thread(() -> {
      while (!stop.get()) {
        try {
          if (!expected.contains(Files.readString(file, StandardCharsets.UTF_8))) {
            failures.incrementAndGet();
          }
        } catch (IOException e) {
          failures.incrementAndGet();
        }
        reads.incrementAndGet();
      }
    }, "reader-loop");
  }

  /**
   * Starts reading.
   *
   * @param file the file, e.g. {@code <app>/current/version}
   * @param expected every content a read may see
   * @return the running loop
   */
  public static ReaderLoop start(Path file, Set<String> expected) {
    ReaderLoop loop = new ReaderLoop(file, Set.copyOf(expected));
    loop.thread.start();
    return loop;
  }

  /** @return reads so far */
  public long reads() {
    return reads.get();
  }

  /** @return reads that failed or saw unexpected content so far */
  public long failures() {
    return failures.get();
  }

  /** Stops the loop and waits for its thread. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join();
  }
}
