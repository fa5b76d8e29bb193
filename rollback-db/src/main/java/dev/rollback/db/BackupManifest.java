package dev.rollback.db;

import java.io.IOException;
import java.io.StringReader;
import java.time.Instant;
import java.util.Properties;

/**
 * The sidecar of a backup ({@code <name>.manifest}), written after the dump completed and read before any restore
 * touches a database: what the file must hash to, how big it is, and what it holds.
 *
 * @param sha256 the file's SHA-256, lowercase hex
 * @param size the file's size in bytes
 * @param database the database it was taken from
 * @param engine the engine
 * @param toolVersion the dump tool's {@code --version} line
 * @param format the format
 * @param created when the dump completed
 */
public record BackupManifest(String sha256, long size, String database, DbEngine engine, String toolVersion,
    BackupFormat format, Instant created) {

  /** @return the manifest as {@code key=value} lines, the form written next to the backup */
  public String toText() {
    return "# rollback-db backup manifest\n"
        + "sha256=" + sha256 + "\n"
        + "size=" + size + "\n"
        + "database=" + database + "\n"
        + "engine=" + engine + "\n"
        + "tool_version=" + toolVersion.replace('\n', ' ') + "\n"
        + "format=" + format + "\n"
        + "created=" + created + "\n";
  }

  /**
   * Reads a manifest written by {@link #toText()}.
   *
   * @param text the manifest's content
   * @param where the manifest's path, for the error
   * @return the manifest
   * @throws BackupVerificationException when a key is missing or malformed
   */
  public static BackupManifest parse(String text, String where) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
      return new BackupManifest(req(p, "sha256", where), Long.parseLong(req(p, "size", where)),
          req(p, "database", where), DbEngine.valueOf(req(p, "engine", where)), req(p, "tool_version", where),
          BackupFormat.valueOf(req(p, "format", where)), Instant.parse(req(p, "created", where)));
    } catch (IOException | RuntimeException e) {
      if (e instanceof BackupVerificationException b) {
        throw b;
      }
      throw new BackupVerificationException("manifest " + where + " is not readable (" + e.getMessage()
          + "): the backup cannot be verified; check the file or take a new backup");
    }
  }

  private static String req(Properties p, String key, String where) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new BackupVerificationException("manifest " + where + " has no '" + key
          + "': the backup cannot be verified; check the file or take a new backup");
    }
    return v.strip();
  }
}
