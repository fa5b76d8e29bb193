package dev.rollback.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;

/**
 * The connection facts {@code scripts/test-env.sh} writes (ports, key paths, known_hosts, database URLs), read by
 * integration tests.
 *
 * <p>The file is {@code -Drollback.test.env} (set by the parent pom), else {@code $ROLLBACK_TEST_ENV}, else
 * {@code /var/lib/rollback-test/env.properties}. When a server a test needs is missing, the test is skipped with
 * a message under plain {@code mvn verify}, and fails under {@code -Drollback.it.required=true} (what
 * {@code scripts/test.sh} and CI use): an integration test never silently skips in CI.
 */
public final class TestEnvironment {
  /** Where test-env.sh writes the file unless told otherwise. */
  public static final String DEFAULT_FILE = "/var/lib/rollback-test/env.properties";

  private final Path file;
  private final Properties props;
  private final String missingReason;

  private TestEnvironment(Path file, Properties props, String missingReason) {
    this.file = file;
    this.props = props;
    this.missingReason = missingReason;
  }

  /** @return the environment, loaded once per call (cheap) */
  public static TestEnvironment load() {
    String f = System.getProperty("rollback.test.env");
    if (f == null || f.isBlank()) {
      f = System.getenv("ROLLBACK_TEST_ENV");
    }
    if (f == null || f.isBlank()) {
      f = DEFAULT_FILE;
    }
    Path path = Path.of(f);
    Properties p = new Properties();
    if (!Files.isRegularFile(path)) {
      return new TestEnvironment(path, p, "no test environment file at " + path);
    }
    try (InputStream in = Files.newInputStream(path)) {
      p.load(in);
    } catch (IOException e) {
      return new TestEnvironment(path, p, "cannot read " + path + ": " + e.getMessage());
    }
    return new TestEnvironment(path, p, null);
  }

  /** @return true under {@code -Drollback.it.required=true}: a missing server fails the test */
  public static boolean required() {
    return Boolean.getBoolean("rollback.it.required");
  }

  /**
   * Makes sure a server is there: its keys are in the file and, when {@code portKey} is given, its port accepts a
   * TCP connection. Otherwise skips the test (or fails it when {@link #required()}).
   *
   * @param server a name for the message, e.g. {@code OpenSSH}
   * @param hostKey the key holding its host, or null for 127.0.0.1
   * @param portKey the key holding its port, or null for no probe
   * @param keys further keys the test reads
   * @return this, for chaining
   */
  public TestEnvironment requireServer(String server, String hostKey, String portKey, String... keys) {
    String problem = missingReason;
    if (problem == null) {
      for (String k : keys) {
        if (props.getProperty(k) == null) {
          problem = "key '" + k + "' missing from " + file;
          break;
        }
      }
    }
    if (problem == null && portKey != null) {
      String host = hostKey == null ? "127.0.0.1" : props.getProperty(hostKey, "127.0.0.1");
      String port = props.getProperty(portKey);
      if (port == null) {
        problem = "key '" + portKey + "' missing from " + file;
      } else {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(host, Integer.parseInt(port.trim())), 2000);
        } catch (IOException | NumberFormatException e) {
          problem = "nothing answers on " + host + ":" + port + " (" + e.getMessage() + ")";
        }
      }
    }
    if (problem != null) {
      unavailable(server + " is not available: " + problem);
    }
    return this;
  }

  /**
   * Skips the test with the message, or fails it when {@link #required()}.
   *
   * @param message why the test cannot run
   */
  public static void unavailable(String message) {
    String full = message + ". Run scripts/test-env.sh as root (or scripts/test.sh, which runs it).";
    if (required()) {
      throw new IllegalStateException("required integration test server missing: " + full);
    }
    System.err.println("SKIPPED: " + full);
    Assumptions.abort(full);
  }

  /**
   * A value from the file.
   *
   * @param key the key
   * @return its value, trimmed
   * @throws IllegalStateException when it is missing
   */
  public String get(String key) {
    String v = props.getProperty(key);
    if (v == null) {
      throw new IllegalStateException("key '" + key + "' missing from " + file);
    }
    return v.trim();
  }

  /**
   * @param key the key
   * @return its value as a port number
   */
  public int port(String key) {
    return Integer.parseInt(get(key));
  }

  /**
   * @param key the key
   * @return its value as a path
   */
  public Path path(String key) {
    return Path.of(get(key));
  }

  /** @return the file read */
  public Path file() {
    return file;
  }
}
