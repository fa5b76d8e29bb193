package dev.rollback.db;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One backup in a {@link BackupCatalog}: a file named {@code <label>-YYYYMMDD-HHMMSS.dump} or {@code .sql.gz} (seed
 * 001's names, the time in UTC), and its sidecar {@code <name>.manifest}.
 *
 * @param catalog the catalog holding it
 * @param name the file's name, e.g. {@code pre-deployment-20241203-120000.dump}
 * @param label the name's label, e.g. {@code pre-deployment} or {@code pre-rollback}
 * @param created the time in the name
 */
public record Backup(BackupCatalog catalog, String name, String label, Instant created) {

  /** Checks the fields. */
  public Backup {
    Objects.requireNonNull(catalog, "catalog");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(created, "created");
  }

  /** @return the file's path on the catalog's host */
  public String path() {
    return catalog.directory() + "/" + name;
  }

  /** @return the manifest's path on the catalog's host */
  public String manifestPath() {
    return path() + ".manifest";
  }

  /**
   * How old the backup is: the data written since is what a restore loses.
   *
   * @param now the present
   * @return the time since {@link #created()}
   */
  public Duration age(Instant now) {
    return Duration.between(created, now);
  }

  /**
   * @param d a duration
   * @return it in the largest unit that fits: {@code 45 s}, {@code 12 min}, {@code 5 h}, {@code 3 days}
   */
  static String humanAge(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 120) {
      return s + " s";
    }
    if (s < 7200) {
      return s / 60 + " min";
    }
    if (s < 172800) {
      return s / 3600 + " h";
    }
    return s / 86400 + " days";
  }

  /** @return the name */
  @Override
  public String toString() {
    return name;
  }
}
