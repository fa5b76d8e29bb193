package dev.rollback.examples.quickstart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The quickstart service as a real child process started from {@code <app>/current}: {@link #restart()} stops it
 * and starts it again, waiting (a poll with a deadline) until its port accepts connections.
 */
public final class ServiceProcess implements AutoCloseable {
  private final Path current;
  private final int port;
  private Process process;

  /**
   * @param current the {@code current} link the service starts from
   * @param port the loopback port it listens on
   */
  public ServiceProcess(Path current, int port) {
    this.current = current;
    this.port = port;
  }

  /** Starts the service, or stops and starts it when it runs. */
  public synchronized void restart() {
    stop();
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
        TinyHttpService.class.getName(), Integer.toString(port), current.toString());
    try {
      process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the service", e);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the service exited at start with status " + process.exitValue());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    throw new IllegalStateException("the service did not listen on 127.0.0.1:" + port + " within 20 s");
  }

  /** Stops the service and waits for it to exit. */
  public synchronized void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** @return the port */
  public int port() {
    return port;
  }

  @Override
  public void close() {
    stop();
  }
}
