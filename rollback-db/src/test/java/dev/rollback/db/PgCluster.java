package dev.rollback.db;

import dev.rollback.testing.TestEnvironment;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The test environment's PostgreSQL cluster, stopped and started as scripts/test-env.sh starts it
 * ({@code pg_ctlcluster <version> main stop/start}, as root). Other tests share the server: whoever stops it starts it
 * again in a finally block with {@link #startAndAwaitReady()}.
 */
final class PgCluster {
  private final String version;
  private final int port;

  private PgCluster(String version, int port) {
    this.version = version;
    this.port = port;
  }

  /** The cluster {@code main} serving the fixture's port; unavailable (a failure when required) unless root. */
  static PgCluster of(DbFixture fx) throws IOException, InterruptedException {
    if (!"root".equals(System.getProperty("user.name"))) {
      TestEnvironment.unavailable("stopping PostgreSQL needs root; this JVM runs as "
          + System.getProperty("user.name"));
    }
    for (String line : run(Duration.ofSeconds(30), "pg_lsclusters", "-h").lines().toList()) {
      String[] cols = line.trim().split("\\s+");
      if (cols.length >= 3 && cols[1].equals("main") && cols[2].equals(String.valueOf(fx.port))) {
        return new PgCluster(cols[0], fx.port);
      }
    }
    throw new IllegalStateException("no PostgreSQL cluster 'main' on port " + fx.port + " in pg_lsclusters");
  }

  void stop() throws IOException, InterruptedException {
    run(Duration.ofSeconds(60), "pg_ctlcluster", version, "main", "stop");
  }

  /** Starts the cluster unless it runs, then polls pg_isready until it accepts connections (60 s at most). */
  void startAndAwaitReady() throws IOException, InterruptedException {
    if (!ready()) {
      Process p = new ProcessBuilder("pg_ctlcluster", version, "main", "start").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      if (p.exitValue() != 0 && !ready()) {
        throw new IllegalStateException("pg_ctlcluster " + version + " main start failed: " + out);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!ready()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("PostgreSQL " + version + "/main does not accept connections after 60 s");
      }
      Thread.sleep(100);
    }
  }

  boolean ready() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("pg_isready", "-q", "-h", "127.0.0.1", "-p", String.valueOf(port), "-t", "2")
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  private static String run(Duration limit, String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
    }
    return out;
  }
}
