package dev.rollback.db;

import dev.rollback.Checkpoint;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import dev.rollback.exec.Executor;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Restores a database from a backup without ever losing the data it holds now (seeds 001 and 002, done safely).
 *
 * <pre>{@code
 * RollbackPlan.builder("shop")
 *     .step(DbRestoreRollback.of(PostgresDatabase.named("shop").user("rollback").password(pw))
 *         .fromLatest(BackupCatalog.at(Path.of("/srv/backups")))
 *         .stopWriters(Writers.commands(local, Command.of("systemctl", "stop", "shop"),
 *             Command.of("systemctl", "start", "shop"))))
 *     .build().run();
 * }</pre>
 *
 * <p>What it does, in order:
 * <ol>
 *   <li>preflight: picks the backup and verifies it against its manifest (size, SHA-256, engine) before anything
 *       touches a database; a truncated or altered backup makes the plan {@code REFUSED};
 *   <li>checkpoint: a safety backup {@code pre-rollback-<time>} of the database as it is now, verified, always;
 *   <li>rollback, {@linkplain Mode#SWAP swap} mode (the default): restores into a new database {@code <name>_rb_<time>}
 *       ({@code pg_restore --single-transaction}, or {@code -j N} from a file; {@code gunzip | psql
 *       ON_ERROR_STOP=1 --single-transaction}; {@code gunzip | mariadb}) while the writers still run, checks it
 *       (at least one table, then the {@link #checkRestored} checks), stops the writers, swaps the names (PostgreSQL:
 *       {@code ALTER DATABASE RENAME} in one transaction after ending the old database's connections; MariaDB: one
 *       atomic {@code RENAME TABLE}), starts the writers. The original stays, whole, as {@code <name>_pre_rb_<time>}
 *       (PostgreSQL: with connections disallowed): writes made after the safety backup are in it.
 *   <li>restore (a later step or the verification failed): swaps the original back (the restored one is kept as
 *       {@code <name>_rb_failed_<time>}), or, when the swap had not happened, drops the half-restored new database;
 *       the original was never touched.
 * </ol>
 *
 * <p>{@linkplain Mode#IN_PLACE In place} mode (for MariaDB schemas with views or triggers, or no room for a second
 * copy) stops the writers before the safety backup, then drops and recreates the database and restores into it;
 * its restore restores the safety backup the same way. Writers are down for the whole dump and restore.
 *
 * <p>{@link #finish}, once the plan is verified: the original {@code <name>_pre_rb_<time>} is dropped only with
 * {@link #dropOriginalOnceVerified}; by default it stays until a person drops it.
 *
 * <p>Defaults: backup {@link #fromLatest(BackupCatalog)} = the newest {@code pre-deployment-*} (never a
 * {@code pre-rollback-*} safety backup, which holds the state being rolled back); safety backups into the same
 * catalog in the engine's default format; no writers; 1 restore job; swap mode. Immutable; the setters return
 * copies. Safe to run more than once.
 */
public final class DbRestoreRollback implements RollbackStrategy {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

  /** Where the restored data goes. */
  public enum Mode {
    /** Into a new database, then swapped into the name: the original is never touched. Default. */
    SWAP,
    /** Into the database itself, after a verified safety backup, with the writers stopped throughout. */
    IN_PLACE
  }

  private record Source(Backup backup, BackupCatalog catalog, String label) {}

  private record Config(Database database, Source source, BackupCatalog safetyCatalog, BackupFormat safetyFormat,
      Writers writers, int jobs, Mode mode, List<Function<Database, Check>> checks, boolean dropOriginal) {}

  private final Config c;
  // per run, keyed by the run's context and held weakly, so a run that stops halfway leaves nothing behind
  private final Map<RollbackContext, State> running = java.util.Collections.synchronizedMap(
      new java.util.WeakHashMap<>());
  private final Map<RollbackContext, Resolved> resolved = java.util.Collections.synchronizedMap(
      new java.util.WeakHashMap<>());

  private DbRestoreRollback(Config c) {
    this.c = c;
  }

  /**
   * Starts a restore of a database; say which backup with {@link #from} or {@link #fromLatest}.
   *
   * @param database the database to restore
   * @return the strategy
   */
  public static DbRestoreRollback of(Database database) {
    Objects.requireNonNull(database, "database");
    return new DbRestoreRollback(new Config(database, null, null, null, Writers.none(), 1, Mode.SWAP, List.of(), false));
  }

  private DbRestoreRollback with(Config n) {
    return new DbRestoreRollback(n);
  }

  /**
   * Restores this backup.
   *
   * @param backup the backup, e.g. {@code catalog.get("pre-deployment-20241203-120000.dump")}
   * @return a copy
   */
  public DbRestoreRollback from(Backup backup) {
    Objects.requireNonNull(backup, "backup");
    return with(new Config(c.database, new Source(backup, backup.catalog(), null), c.safetyCatalog, c.safetyFormat,
        c.writers, c.jobs, c.mode, c.checks, c.dropOriginal));
  }

  /**
   * Restores the newest {@code pre-deployment-*} backup in the catalog, as found when the plan runs.
   *
   * @param catalog the catalog
   * @return a copy
   */
  public DbRestoreRollback fromLatest(BackupCatalog catalog) {
    return fromLatest(catalog, BackupCatalog.PRE_DEPLOYMENT);
  }

  /**
   * Restores the newest backup with a label in the catalog, as found when the plan runs.
   *
   * @param catalog the catalog
   * @param label e.g. {@code pre-migration}
   * @return a copy
   */
  public DbRestoreRollback fromLatest(BackupCatalog catalog, String label) {
    Objects.requireNonNull(catalog, "catalog");
    Objects.requireNonNull(label, "label");
    return with(new Config(c.database, new Source(null, catalog, label), c.safetyCatalog, c.safetyFormat, c.writers,
        c.jobs, c.mode, c.checks, c.dropOriginal));
  }

  /**
   * Where the safety backup goes.
   *
   * @param catalog the catalog; default the one the restored backup comes from
   * @return a copy
   */
  public DbRestoreRollback safetyBackupsIn(BackupCatalog catalog) {
    return with(new Config(c.database, c.source, Objects.requireNonNull(catalog, "catalog"), c.safetyFormat,
        c.writers, c.jobs, c.mode, c.checks, c.dropOriginal));
  }

  /**
   * The safety backup's format.
   *
   * @param format default {@link BackupFormat#defaultFor} the engine
   * @return a copy
   */
  public DbRestoreRollback safetyFormat(BackupFormat format) {
    return with(new Config(c.database, c.source, c.safetyCatalog, Objects.requireNonNull(format, "format"),
        c.writers, c.jobs, c.mode, c.checks, c.dropOriginal));
  }

  /**
   * The programs to stop while the database changes under them.
   *
   * @param writers default {@link Writers#none()}
   * @return a copy
   */
  public DbRestoreRollback stopWriters(Writers writers) {
    return with(new Config(c.database, c.source, c.safetyCatalog, c.safetyFormat,
        Objects.requireNonNull(writers, "writers"), c.jobs, c.mode, c.checks, c.dropOriginal));
  }

  /**
   * Parallel {@code pg_restore} jobs for a custom-format backup whose catalog is on the tools' executor (the same
   * {@link Executor} object). With 1, or when the backup streams from another host, the restore runs in a single
   * transaction instead.
   *
   * @param jobs at least 1; default 1
   * @return a copy
   */
  public DbRestoreRollback jobs(int jobs) {
    if (jobs < 1) {
      throw new IllegalArgumentException("jobs must be >= 1, was " + jobs);
    }
    return with(new Config(c.database, c.source, c.safetyCatalog, c.safetyFormat, c.writers, jobs, c.mode,
        c.checks, c.dropOriginal));
  }

  /**
   * Restores into the database itself instead of a new one (see the class comment).
   *
   * @return a copy in {@link Mode#IN_PLACE}; the default is {@link Mode#SWAP}
   */
  public DbRestoreRollback restoreInPlace() {
    return with(new Config(c.database, c.source, c.safetyCatalog, c.safetyFormat, c.writers, c.jobs, Mode.IN_PLACE,
        c.checks, c.dropOriginal));
  }

  /**
   * Adds a check run once against the restored database before it takes the name (swap mode) or before the
   * writers start (in place), e.g. {@code db -> SqlCheck.on(db, "SELECT count(*) FROM users").expectAtLeast(1)}.
   *
   * @param check builds the check for the restored database
   * @return a copy
   */
  public DbRestoreRollback checkRestored(Function<Database, Check> check) {
    List<Function<Database, Check>> l = new ArrayList<>(c.checks);
    l.add(Objects.requireNonNull(check, "check"));
    return with(new Config(c.database, c.source, c.safetyCatalog, c.safetyFormat, c.writers, c.jobs, c.mode,
        List.copyOf(l), c.dropOriginal));
  }

  /**
   * Whether {@link #finish} drops the original database, kept whole as {@code <name>_pre_rb_<time>} in swap mode,
   * once the plan's verification has passed. It holds the writes made after the safety backup; keep it (the
   * default) until someone has confirmed the rollback, unless disk space forbids.
   *
   * @param drop default false: the original is kept, and the report says so
   * @return a copy
   */
  public DbRestoreRollback dropOriginalOnceVerified(boolean drop) {
    return with(new Config(c.database, c.source, c.safetyCatalog, c.safetyFormat, c.writers, c.jobs, c.mode,
        c.checks, drop));
  }

  /** @return the mode */
  public Mode mode() {
    return c.mode;
  }

  /** @return the database restored */
  public Database database() {
    return c.database;
  }

  @Override
  public String describe() {
    String from = c.source == null ? "(no backup chosen)" : c.source.backup != null
        ? c.source.backup.name() : "the newest " + c.source.label + "-* backup in " + c.source.catalog.describe();
    return "restore " + c.database.engine().name().toLowerCase(java.util.Locale.ROOT) + " database "
        + c.database.name() + " from " + from + (c.mode == Mode.IN_PLACE ? " (in place)" : " (restore and swap)");
  }

  // ---- the run ----

  private record Resolved(Backup backup, BackupManifest manifest) {}

  /** What one run did so far; restore() reads it. */
  static final class State implements Checkpoint {
    final Resolved source;
    final String stamp;
    Backup safety;
    Checkpoint writersStopped;
    String createSql;
    boolean restoreStarted;
    boolean swapped;

    State(Resolved source, String stamp) {
      this.source = source;
      this.stamp = stamp;
    }

    @Override
    public String describe() {
      return safety == null ? "no safety backup" : "safety backup " + safety.name() + " in "
          + safety.catalog().describe();
    }
  }

  private String newName(State s) {
    return c.database.name() + "_rb_" + s.stamp;
  }

  private String keepName(State s) {
    return c.database.name() + "_pre_rb_" + s.stamp;
  }

  @Override
  public void preflight(RollbackContext ctx) {
    if (c.source == null) {
      throw new RollbackException("no backup chosen for " + c.database.describe()
          + ": call from(backup) or fromLatest(catalog)");
    }
    if (c.database.name().length() + "_rb_failed_".length() + 14 > 63) {
      throw new RollbackException("database name " + c.database.name() + " is too long to restore beside itself ("
          + "the restored copy is named " + c.database.name() + "_rb_failed_<14 digits>, at most 63 characters)");
    }
    Backup b = c.source.backup != null ? c.source.backup : c.source.catalog.latest(c.source.label);
    BackupManifest m = b.catalog().verify(ctx, b);
    if (m.engine() != c.database.engine() || m.format().engine() != c.database.engine()) {
      throw BackupCatalog.notSameEngine(b, m, c.database);
    }
    Executor tools = ctx.executor(c.database.executor());
    if (!c.database.exists(tools, c.database.name())) {
      throw new RollbackException("database " + c.database.describe() + " does not exist: nothing to roll back;"
          + " to create it from " + b.name() + " use pg_restore/mariadb directly");
    }
    resolved.put(ctx, new Resolved(b, m));
    CodeRollbackGuard.databaseRestoredIn(ctx);
    Instant now = ctx.clock().instant();
    ctx.action("restore " + b.name() + " (" + m.format() + ", " + m.size() + " bytes, sha256 "
        + m.sha256().substring(0, 12) + "… verified; taken from " + m.database() + " " + Backup.humanAge(b.age(now))
        + " ago): DATA WILL BE LOST SINCE " + b.created() + " (kept in " + (c.mode == Mode.SWAP
        ? c.database.name() + "_pre_rb_<time> and " : "") + "the safety backup)");
    ctx.action("writers to stop: " + c.writers.describe());
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    Resolved r = resolved.remove(ctx);
    if (r == null) {
      throw new RollbackException("checkpoint before preflight: " + describe() + " must run in a RollbackPlan");
    }
    State s = new State(r, STAMP.format(LocalDateTime.ofInstant(ctx.clock().instant(), ZoneOffset.UTC)));
    running.put(ctx, s);
    if (c.mode == Mode.IN_PLACE) {
      s.writersStopped = c.writers.stop(ctx);
    }
    BackupCatalog safetyCatalog = c.safetyCatalog != null ? c.safetyCatalog : r.backup.catalog();
    BackupFormat format = c.safetyFormat != null ? c.safetyFormat : BackupFormat.defaultFor(c.database.engine());
    try {
      s.safety = safetyCatalog.create(ctx, c.database, BackupCatalog.PRE_ROLLBACK, format);
      if (!ctx.dryRun()) {
        safetyCatalog.verify(ctx, s.safety);
      }
    } catch (RuntimeException e) {
      // the plan restores only steps whose checkpoint succeeded: start what this checkpoint stopped
      running.remove(ctx);
      if (s.writersStopped != null) {
        c.writers.start(ctx, s.writersStopped);
      }
      throw e;
    }
    return s;
  }

  @Override
  public void rollback(RollbackContext ctx) {
    State s = running.remove(ctx);
    if (s == null) {
      throw new RollbackException("rollback before checkpoint: " + describe() + " must run in a RollbackPlan");
    }
    Executor tools = ctx.executor(c.database.executor());
    if (c.mode == Mode.IN_PLACE) {
      s.createSql = c.database.createLikeSql(tools, c.database.name());
      s.restoreStarted = true;
      c.database.recreate(tools, s.createSql);
      c.database.restoreInto(ctx, s.source.backup, s.source.manifest.format(), c.database.name(), c.jobs);
      checkRestored(ctx, c.database.name());
      c.writers.start(ctx, s.writersStopped);
      s.writersStopped = null;
      return;
    }
    String fresh = newName(s);
    s.restoreStarted = true;
    c.database.createEmptyLike(tools, fresh);
    c.database.restoreInto(ctx, s.source.backup, s.source.manifest.format(), fresh, c.jobs);
    checkRestored(ctx, fresh);
    s.writersStopped = c.writers.stop(ctx);
    c.database.swap(tools, fresh, keepName(s));
    s.swapped = true;
    c.writers.start(ctx, s.writersStopped);
    s.writersStopped = null;
    ctx.action("the original database is kept, whole, as " + keepName(s) + " (writes made after "
        + s.safety.name() + " are in it); drop it when the rollback is confirmed");
  }

  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    State s = (State) checkpoint;
    running.remove(ctx);
    Executor tools = ctx.executor(c.database.executor());
    if (c.mode == Mode.IN_PLACE) {
      if (s.restoreStarted) {
        ctx.action("put the original back from the safety backup " + s.safety.name());
        if (s.writersStopped == null) {
          s.writersStopped = c.writers.stop(ctx);
        }
        c.database.recreate(tools, s.createSql);
        BackupManifest m = s.safety.catalog().verify(ctx, s.safety);
        c.database.restoreInto(ctx, s.safety, m.format(), c.database.name(), c.jobs);
      }
    } else if (s.swapped) {
      String failed = c.database.name() + "_rb_failed_" + s.stamp;
      ctx.action("swap the original back from " + keepName(s) + "; the restored database is kept as " + failed);
      if (s.writersStopped == null) {
        s.writersStopped = c.writers.stop(ctx);
      }
      c.database.swap(tools, keepName(s), failed);
    } else if (s.restoreStarted) {
      ctx.action("the original " + c.database.name() + " was never touched; drop the unfinished " + newName(s));
      c.database.drop(tools, newName(s));
    }
    if (s.writersStopped != null) {
      c.writers.start(ctx, s.writersStopped);
      s.writersStopped = null;
    }
  }

  /**
   * With {@link #dropOriginalOnceVerified}, drops the original database kept as {@code <name>_pre_rb_<time>}, now
   * that the plan is verified; otherwise says where it is. The safety backup is never deleted here.
   */
  @Override
  public void finish(RollbackContext ctx, Checkpoint checkpoint) {
    State s = (State) checkpoint;
    if (c.mode != Mode.SWAP || !s.swapped && !ctx.dryRun()) {
      return;
    }
    if (!c.dropOriginal) {
      ctx.action("the original database stays as " + keepName(s) + ": drop it when the rollback is confirmed");
      return;
    }
    ctx.action("drop the original database " + keepName(s) + " (the plan is verified; the safety backup "
        + (s.safety == null ? "" : s.safety.name() + " ") + "stays)");
    c.database.drop(ctx.executor(c.database.executor()), keepName(s));
  }

  private void checkRestored(RollbackContext ctx, String db) {
    if (ctx.dryRun()) {
      ctx.action("would check " + db + ": at least one table" + (c.checks.isEmpty() ? ""
          : ", then " + c.checks.size() + " check(s)"));
      return;
    }
    int tables = c.database.tableCount(ctx.executor(c.database.executor()), db);
    if (tables == 0) {
      throw new RollbackException("the restore into " + db + " ended without error but left no table: the backup"
          + " holds no schema; not putting it in place");
    }
    Database restored = c.database.withName(db);
    for (Function<Database, Check> f : c.checks) {
      Check check = f.apply(restored);
      CheckResult r = check.check(ctx);
      if (!r.passed()) {
        throw new RollbackException("the restored database " + db + " fails " + check.describe() + ": "
            + r.detail() + "; not putting it in place");
      }
      ctx.action("restored " + db + " passes " + check.describe() + ": " + r.detail());
    }
  }
}
