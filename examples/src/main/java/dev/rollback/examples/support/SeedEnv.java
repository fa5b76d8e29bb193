package dev.rollback.examples.support;

import dev.rollback.db.PostgresDatabase;
import dev.rollback.exec.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The servers the examples talk to, read from {@code /var/lib/rollback-test/env.properties} (written by
 * scripts/test-env.sh), or the file named by {@code -Drollback.test.env}. Passwords come out as {@link Secret}s.
 */
public final class SeedEnv {
  /** The default location of the file. */
  public static final String DEFAULT_FILE = "/var/lib/rollback-test/env.properties";
  private final Properties props;
  private final Path file;

  private SeedEnv(Path file, Properties props) {
    this.file = file;
    this.props = props;
  }

  /**
   * Loads the file.
   *
   * @return the environment
   * @throws IllegalStateException when the file is missing (run scripts/test-env.sh first)
   */
  public static SeedEnv load() {
    Path file = Path.of(System.getProperty("rollback.test.env", DEFAULT_FILE));
    if (!Files.isReadable(file)) {
      throw new IllegalStateException(file + " is missing; run scripts/test-env.sh (root or sudo) first");
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new SeedEnv(file, p);
  }

  /**
   * @param key a property
   * @return its value
   * @throws IllegalStateException when the file does not name it
   */
  public String get(String key) {
    String v = props.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(file + " has no " + key + "; run scripts/test-env.sh again");
    }
    return v.strip();
  }

  /** @param key a property @param fallback used when it is absent @return its value or the fallback */
  public String get(String key, String fallback) {
    String v = props.getProperty(key);
    return v == null || v.isBlank() ? fallback : v.strip();
  }

  /** @param key a numeric property @return its value */
  public int port(String key) {
    return Integer.parseInt(get(key));
  }

  /** @param key a password property @return it as a secret, never printed */
  public Secret secret(String key) {
    return Secret.of(get(key));
  }

  /**
   * The test PostgreSQL server's database of a name, as the test user.
   *
   * @param database its name
   * @return the database
   */
  public PostgresDatabase postgres(String database) {
    return PostgresDatabase.named(database).host(get("pg.host")).port(port("pg.port"))
        .user(get("pg.user")).password(secret("pg.password"));
  }

  /** @return the test PostgreSQL server's maintenance database ({@code pg.database}, default postgres) */
  public PostgresDatabase postgresMaintenance() {
    return postgres(get("pg.database", "postgres"));
  }
}
