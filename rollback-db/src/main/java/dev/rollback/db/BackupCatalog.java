package dev.rollback.db;

import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.ReleaseNotFoundException;
import dev.rollback.db.internal.Pipe;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.exec.LocalExecutor;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A directory of database backups, on this machine or on any executor's host, named as seed 001 names them:
 * {@code pre-deployment-20241203-120000.dump}, {@code pre-rollback-20241203-121500.sql.gz} (times in UTC).
 *
 * <p>A backup is written under a hidden temporary name ({@code .<name>.partial}) and renamed into place only
 * when the dump tool exited 0, so a dump that failed midway never appears under a valid name; then its sidecar
 * manifest ({@link BackupManifest}: SHA-256, size, database, engine, tool version, format, time) is written.
 * {@link #verify(RollbackContext, Backup)} checks a backup against its manifest before a restore touches a
 * database. Every file operation runs as a command ({@code ls}, {@code sha256sum}, {@code stat}, {@code mv}) through
 * the catalog's executor; a dump streams from the database's tools through this JVM into the file, so the tools
 * and the catalog may be on different hosts (a container and its host, say). Immutable and thread-safe.
 */
public final class BackupCatalog {
  private static final Pattern NAME = Pattern.compile("([a-z0-9][a-z0-9-]*?)-(\\d{8}-\\d{6})(\\.dump|\\.sql\\.gz)");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  /** Seed 001's label for the backup taken before a deployment: what a rollback restores by default. */
  public static final String PRE_DEPLOYMENT = "pre-deployment";
  /** Seed 001's label for the safety backup taken before a restore. */
  public static final String PRE_ROLLBACK = "pre-rollback";

  private final Executor executor;
  private final String directory;

  private BackupCatalog(Executor executor, String directory) {
    this.executor = executor;
    this.directory = directory.endsWith("/") && directory.length() > 1
        ? directory.substring(0, directory.length() - 1) : directory;
  }

  /**
   * A catalog in a local directory.
   *
   * @param directory the directory (created on the first backup)
   * @return the catalog
   */
  public static BackupCatalog at(Path directory) {
    return new BackupCatalog(LocalExecutor.create(), directory.toAbsolutePath().toString());
  }

  /**
   * A catalog in a directory on an executor's host.
   *
   * @param executor where the files are
   * @param directory an absolute POSIX path there
   * @return the catalog
   * @throws IllegalArgumentException when the path is not absolute
   */
  public static BackupCatalog at(Executor executor, String directory) {
    Objects.requireNonNull(executor, "executor");
    if (directory == null || !directory.startsWith("/")) {
      throw new IllegalArgumentException("a backup directory must be an absolute path, was '" + directory + "'");
    }
    return new BackupCatalog(executor, directory);
  }

  /** @return the directory's path on the executor's host */
  public String directory() {
    return directory;
  }

  /** @return where the files are */
  public Executor executor() {
    return executor;
  }

  /** @return one line: {@code /srv/backups on local} */
  public String describe() {
    return directory + " on " + executor.describe();
  }

  // ---- reading ----

  /**
   * Every backup whose name follows the pattern, newest first (by the time in the name, then by name). Files with
   * other names (partial dumps, manifests) are not listed.
   *
   * @return the backups
   */
  public List<Backup> list() {
    return list(executor);
  }

  List<Backup> list(Executor ex) {
    ExecResult r = ex.run(Command.of("ls", "-1A", "--", directory).readOnly());
    if (!r.succeeded()) {
      if (r.stderr().contains("No such file")) {
        return List.of();
      }
      r.requireSuccess();
    }
    List<Backup> out = new ArrayList<>();
    for (String line : r.stdout().lines().toList()) {
      parse(line.strip()).ifPresent(out::add);
    }
    out.sort(Comparator.comparing(Backup::created).reversed().thenComparing(Backup::name, Comparator.reverseOrder()));
    return out;
  }

  private java.util.Optional<Backup> parse(String name) {
    Matcher m = NAME.matcher(name);
    if (!m.matches()) {
      return java.util.Optional.empty();
    }
    Instant created = LocalDateTime.parse(m.group(2), TS).toInstant(ZoneOffset.UTC);
    return java.util.Optional.of(new Backup(this, name, m.group(1), created));
  }

  /**
   * The newest backup of any label.
   *
   * @return the backup
   * @throws ReleaseNotFoundException when the directory holds none
   */
  public Backup latest() {
    return list().stream().findFirst().orElseThrow(() -> new ReleaseNotFoundException("backup", "(latest)",
        describe(), List.of()));
  }

  /**
   * The newest backup with a label, e.g. {@link #PRE_DEPLOYMENT}.
   *
   * @param label the label
   * @return the backup
   * @throws ReleaseNotFoundException listing what exists, when none has the label
   */
  public Backup latest(String label) {
    List<Backup> all = list();
    return all.stream().filter(b -> b.label().equals(label)).findFirst().orElseThrow(() ->
        new ReleaseNotFoundException("backup", "(latest " + label + "-*)", describe(),
            all.stream().map(Backup::name).toList()));
  }

  /**
   * A backup by its file name.
   *
   * @param name e.g. {@code pre-deployment-20241203-120000.dump}
   * @return the backup
   * @throws ReleaseNotFoundException listing what exists, when there is no such backup
   */
  public Backup get(String name) {
    List<Backup> all = list();
    return all.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow(() ->
        new ReleaseNotFoundException("backup", name, describe(), all.stream().map(Backup::name).toList()));
  }

  /**
   * Checks a backup against its manifest: the manifest exists and parses, the file's size and SHA-256 match. Reads
   * only; runs in previews too.
   *
   * @param ctx the context (its executor wrapper records the reads)
   * @param backup the backup
   * @return the manifest, verified
   * @throws BackupVerificationException saying what differs and what to do
   */
  public BackupManifest verify(RollbackContext ctx, Backup backup) {
    Executor ex = ctx.executor(executor);
    ExecResult m = ex.run(Command.of("cat", "--", backup.manifestPath()).readOnly());
    if (!m.succeeded()) {
      throw new BackupVerificationException("backup " + backup.name() + " in " + describe() + " has no manifest ("
          + backup.manifestPath() + "): its dump may not have completed, or it was not written by BackupCatalog;"
          + " refusing to restore it. If you checked it yourself, call BackupCatalog.adopt(...) to write one");
    }
    BackupManifest manifest = BackupManifest.parse(m.stdout(), backup.manifestPath());
    ExecResult size = ex.run(Command.of("stat", "-c", "%s", "--", backup.path()).readOnly());
    if (!size.succeeded()) {
      throw new BackupVerificationException("backup " + backup.name() + " has a manifest but its file "
          + backup.path() + " cannot be read (" + size.stderr().strip() + "); refusing to restore it");
    }
    long actual = Long.parseLong(size.stdoutTrimmed());
    if (actual != manifest.size()) {
      throw new BackupVerificationException("backup " + backup.name() + " is " + actual + " bytes but its manifest"
          + " says " + manifest.size() + (actual < manifest.size() ? " (truncated)" : "")
          + "; refusing to restore it. Pick another backup (" + describe() + ")");
    }
    String sha = sha256(ex, backup.path());
    if (!sha.equals(manifest.sha256())) {
      throw new BackupVerificationException("backup " + backup.name() + " has SHA-256 " + sha + " but its manifest"
          + " says " + manifest.sha256() + " (the file changed after it was written); refusing to restore it."
          + " Pick another backup (" + describe() + ")");
    }
    return manifest;
  }

  private static long size(Executor ex, String path) {
    return Long.parseLong(ex.run(Command.of("stat", "-c", "%s", "--", path).readOnly()).requireSuccess()
        .stdoutTrimmed());
  }

  private static String sha256(Executor ex, String path) {
    String out = ex.run(Command.of("sha256sum", "--", path).readOnly()).requireSuccess().stdoutTrimmed();
    int sp = out.indexOf(' ');
    return (sp < 0 ? out : out.substring(0, sp)).toLowerCase(java.util.Locale.ROOT);
  }

  // ---- writing ----

  /**
   * Takes a backup of a database now, outside a plan.
   *
   * @param database the database
   * @param label e.g. {@link #PRE_DEPLOYMENT}
   * @return the backup, with its manifest written
   */
  public Backup create(Database database, String label) {
    return create(RollbackContext.standalone("backup-" + database.name()), database, label,
        BackupFormat.defaultFor(database.engine()));
  }

  /**
   * Takes a backup: dumps to {@code .<name>.partial}, renames it into place when the dump succeeded, then writes the
   * manifest. A failed dump leaves no file under a valid name (the partial file is removed). In a preview the
   * commands are recorded and nothing is written.
   *
   * @param ctx the run's context
   * @param database the database to dump
   * @param label the name's label: lowercase letters, digits, {@code -}
   * @param format the format; must be one of the database's engine
   * @return the backup
   * @throws IllegalArgumentException for a bad label or a format of another engine
   * @throws dev.rollback.exec.CommandFailedException when the dump fails (nothing is left behind)
   * @throws RollbackException when the catalogue's device is full: where, how much is free, and that the partial
   *     file was removed
   */
  public Backup create(RollbackContext ctx, Database database, String label, BackupFormat format) {
    if (label == null || !LABEL.matcher(label).matches()) {
      throw new IllegalArgumentException("not a backup label: '" + label + "' (lowercase letters, digits, '-')");
    }
    if (format.engine() != database.engine()) {
      throw new IllegalArgumentException(format + " is not a " + database.engine() + " format");
    }
    Executor files = ctx.executor(executor);
    Executor tools = ctx.executor(database.executor());
    Instant at = ctx.clock().instant();
    Set<String> taken = new HashSet<>();
    list(files).forEach(b -> taken.add(b.name()));
    String name;
    do {
      name = label + "-" + TS.format(LocalDateTime.ofInstant(at, ZoneOffset.UTC)) + format.extension();
      at = at.plusSeconds(1);
    } while (taken.contains(name));
    Backup backup = parse(name).orElseThrow();
    String partial = directory + "/." + name + ".partial";
    String version = ctx.dryRun() ? "(not read in a preview)"
        : tools.run(database.toolVersion()).requireSuccess().stdoutTrimmed();

    files.run(Command.of("mkdir", "-p", "--", directory)).requireSuccess();
    String write = format == BackupFormat.MARIADB_SQL_GZ ? "gzip -c > \"$1\"" : "cat > \"$1\"";
    Database.Prepared dump = database.prepare(tools, database.dump(format));
    try {
      Pipe.run(tools, dump.command(), files, Command.of("sh", "-c", write, "sh", partial));
    } catch (RuntimeException e) {
      ExecResult rm = files.run(Command.of("rm", "-f", "--", partial));
      throw diskFull(files, database, partial, rm, e);
    } finally {
      dump.cleanup().run();
    }
    if (ctx.dryRun()) {
      ctx.action("would rename " + partial + " to " + backup.path() + " and write " + backup.manifestPath()
          + " (SHA-256, size, database, engine, tool version, format, time)");
      return backup;
    }
    long size = size(files, partial);
    String sha = sha256(files, partial);
    files.run(Command.of("mv", "-f", "--", partial, backup.path())).requireSuccess();
    writeManifest(files, backup, new BackupManifest(sha, size, database.name(), database.engine(), version, format,
        ctx.clock().instant()));
    return backup;
  }

  /**
   * A dump that ran out of space, told as such: where, how much is free now, that the partial file is gone (or not)
   * and what to do. Any other failure is returned as it was.
   */
  private RuntimeException diskFull(Executor files, Database database, String partial, ExecResult rm,
      RuntimeException e) {
    String text = String.valueOf(e.getMessage());
    if (!text.contains("No space left on device") && !text.contains("Disk quota exceeded")) {
      return e;
    }
    ExecResult df = files.run(Command.of("df", "-Pk", "--", directory).readOnly());
    String free = "";
    List<String> rows = df.succeeded() ? df.stdout().lines().toList() : List.of();
    if (rows.size() >= 2) {
      String[] cols = rows.get(rows.size() - 1).trim().split("\\s+");
      if (cols.length >= 4 && cols[3].matches("\\d+")) {
        free = " (" + Long.parseLong(cols[3]) * 1024 + " bytes free now)";
      }
    }
    String removed = rm.succeeded() ? "the partial file " + partial + " was removed and nothing was kept under a"
        + " valid name" : "the partial file " + partial + " could not be removed (" + rm.stderr().strip()
        + "): remove it by hand; nothing was kept under a valid name";
    return new RollbackException("backing up " + database.describe() + " into " + describe() + " failed: no space"
        + " left on the device holding " + directory + free + "; " + removed + ". Free space there, remove old"
        + " backups, or back up into another directory", e);
  }

  /**
   * Writes a manifest for a backup file made elsewhere (seed 002's {@code pg_dump | gzip > backup-...sql.gz}), after
   * you checked it: from now on a restore verifies the file against this manifest. Hashes the file as it is now.
   *
   * @param name the file's name in this catalog; it must follow the naming pattern
   * @param database the database it holds
   * @param format its format
   * @return the backup
   * @throws ReleaseNotFoundException when there is no such backup
   */
  public Backup adopt(String name, Database database, BackupFormat format) {
    Backup b = get(name);
    long size = size(executor, b.path());
    String version = database.executor().run(database.toolVersion()).requireSuccess().stdoutTrimmed();
    writeManifest(executor, b, new BackupManifest(sha256(executor, b.path()), size, database.name(),
        database.engine(), version, format, Instant.now()));
    return b;
  }

  private void writeManifest(Executor files, Backup backup, BackupManifest manifest) {
    String tmp = directory + "/." + backup.name() + ".manifest.partial";
    files.run(Command.of("sh", "-c", "cat > \"$1\" && mv -f -- \"$1\" \"$2\"", "sh", tmp, backup.manifestPath())
        .withStdin(manifest.toText())).requireSuccess();
  }

  /**
   * Deletes a backup and its manifest. Used by tests and retention; a rollback never deletes backups.
   *
   * @param backup the backup
   */
  public void delete(Backup backup) {
    executor.run(Command.of("rm", "-f", "--", backup.path(), backup.manifestPath())).requireSuccess();
  }

  @Override
  public String toString() {
    return describe();
  }

  static RollbackException notSameEngine(Backup b, BackupManifest m, Database d) {
    return new BackupVerificationException("backup " + b.name() + " holds " + m.engine() + " database "
        + m.database() + " (" + m.format() + "), not " + d.engine() + ": pick a backup of " + d.describe());
  }
}
