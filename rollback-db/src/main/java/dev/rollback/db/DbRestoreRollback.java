package dev.rollback.db;

import dev.rollback.Checkpoint;
import dev.rollback.RestoreIncompleteException;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import dev.rollback.exec.Executor;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 *       touches a database; a truncated or altered backup makes the plan {@code REFUSED}; names the copies earlier
 *       runs left on the server, and refuses while an earlier swap's {@code <name>_pre_rb_<time>} copy is not
 *       {@linkplain #acknowledgeEarlierCopies acknowledged} (it may hold the real original);
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
 *       the original was never touched. When it cannot finish, a {@link RestoreIncompleteException} says what is
 *       where and the one action, with the exact SQL or command.
 * </ol>
 *
 * <p>Every database command waits up to {@link #reconnectWithin} for a server that refuses connections while it
 * restarts.
 *
 * <p>{@linkplain Mode#IN_PLACE In place} mode (for MariaDB schemas with views or triggers, or no room for a second
 * copy) stops the writers before the safety backup, then drops and recreates the database and restores into it;
 * its restore restores the safety backup the same way. Writers are down for the whole dump and restore.
 *
 * <p>{@link #finish}, once the plan is verified: the original {@code <name>_pre_rb_<time>} is dropped with
 * {@link #dropOriginalOnceVerified}; by default it is renamed {@code <name>_kept_rb_<time>} and stays until a person
 * drops it. A later run names such a copy and goes ahead; a {@code _pre_rb_} copy (a swap whose run was never
 * verified, say killed after it) makes it refuse.
 *
 * <p>Defaults: backup {@link #fromLatest(BackupCatalog)} = the newest {@code pre-deployment-*} (never a
 * {@code pre-rollback-*} safety backup, which holds the state being rolled back); safety backups into the same
 * catalog in the engine's default format; no writers; 1 restore job; swap mode; reconnect within 30 s; no earlier
 * copies acknowledged. Immutable; the setters return copies. Safe to run more than once: a second run after a
 * swap whose run never finished refuses until that run's {@code _pre_rb_} copy is dropped, swapped back or
 * acknowledged.
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

  /** The settings; copied by every setter, never changed once a strategy holds it. */
  private static final class Config implements Cloneable {
    Database database;
    Source source;
    BackupCatalog safetyCatalog;
    BackupFormat safetyFormat;
    Writers writers = Writers.none();
    int jobs = 1;
    Mode mode = Mode.SWAP;
    List<Function<Database, Check>> checks = List.of();
    boolean dropOriginal;
    Duration reconnect = Reconnect.DEFAULT;
    Set<String> acknowledged = Set.of();

    Config copy() {
      try {
        return (Config) clone();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }
  }

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
    Config c = new Config();
    c.database = Objects.requireNonNull(database, "database");
    return new DbRestoreRollback(c);
  }

  private DbRestoreRollback with(java.util.function.Consumer<Config> change) {
    Config n = c.copy();
    change.accept(n);
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
    return with(n -> n.source = new Source(backup, backup.catalog(), null));
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
    return with(n -> n.source = new Source(null, catalog, label));
  }

  /**
   * Where the safety backup goes.
   *
   * @param catalog the catalog; default the one the restored backup comes from
   * @return a copy
   */
  public DbRestoreRollback safetyBackupsIn(BackupCatalog catalog) {
    Objects.requireNonNull(catalog, "catalog");
    return with(n -> n.safetyCatalog = catalog);
  }

  /**
   * The safety backup's format.
   *
   * @param format default {@link BackupFormat#defaultFor} the engine
   * @return a copy
   */
  public DbRestoreRollback safetyFormat(BackupFormat format) {
    Objects.requireNonNull(format, "format");
    return with(n -> n.safetyFormat = format);
  }

  /**
   * The programs to stop while the database changes under them.
   *
   * @param writers default {@link Writers#none()}
   * @return a copy
   */
  public DbRestoreRollback stopWriters(Writers writers) {
    Objects.requireNonNull(writers, "writers");
    return with(n -> n.writers = writers);
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
    return with(n -> n.jobs = jobs);
  }

  /**
   * Restores into the database itself instead of a new one (see the class comment).
   *
   * @return a copy in {@link Mode#IN_PLACE}; the default is {@link Mode#SWAP}
   */
  public DbRestoreRollback restoreInPlace() {
    return with(n -> n.mode = Mode.IN_PLACE);
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
    return with(n -> n.checks = List.copyOf(l));
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
    return with(n -> n.dropOriginal = drop);
  }

  /**
   * How long the restore's commands (and the rollback's, and the safety backup) wait for a database server that
   * refuses connections because it is restarting: a command refused with "could not connect", "Connection
   * refused", "the database system is starting up" or "shutting down" (MariaDB: "Can't connect") ran nothing, so
   * it runs again (after 250 ms, then up to every 2 s) until it connects or this time has passed. A connection lost
   * midway is never retried. The report says when the server refused and when it answered again.
   *
   * @param within at least zero; zero tries once; default 30 s
   * @return a copy
   */
  public DbRestoreRollback reconnectWithin(Duration within) {
    Objects.requireNonNull(within, "within");
    if (within.isNegative()) {
      throw new IllegalArgumentException("reconnectWithin must be >= 0, was " + within);
    }
    return with(n -> n.reconnect = within);
  }

  /**
   * Names copies that earlier runs left on the server and that you have looked at: {@code <name>_pre_rb_<time>}
   * (the original an earlier run swapped out), {@code <name>_rb_<time>} (an unfinished restore),
   * {@code <name>_rb_failed_<time>} (a restore swapped back out). Every run lists such copies in its preview and
   * report; a {@code _pre_rb_} copy not named here makes the preflight refuse, since it may hold the real original
   * (a run killed after its swap leaves the backup's data under {@code <name>}, and restoring again would keep that
   * as "the original"). Name it here once you know what it holds (or drop it, or swap it back as the refusal
   * says): the run then restores over what {@code <name>} holds now and leaves the named copies as they are.
   *
   * @param copies the copies' exact names; default none
   * @return a copy
   * @throws IllegalArgumentException for a name that is not such a copy of this database
   */
  public DbRestoreRollback acknowledgeEarlierCopies(String... copies) {
    java.util.Set<String> all = new java.util.TreeSet<>(c.acknowledged);
    for (String n : copies) {
      if (n == null || !earlierCopy().matcher(n).matches()) {
        throw new IllegalArgumentException("'" + n + "' is not a copy an earlier run of " + c.database.name()
            + " leaves (" + c.database.name() + "_pre_rb_<14 digits>, _rb_<14 digits> or _rb_failed_<14 digits>)");
      }
      all.add(n);
    }
    return with(x -> x.acknowledged = Set.copyOf(all));
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
    BackupFormat safetyFormat;
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

  private String failedName(State s) {
    return c.database.name() + "_rb_failed_" + s.stamp;
  }

  private java.util.regex.Pattern earlierCopy() {
    return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(c.database.name())
        + "_(rb|pre_rb|rb_failed|kept_rb)_(\\d{14})");
  }

  private Executor tools(RollbackContext ctx) {
    return new Reconnect(ctx, c.database, c.reconnect).executor(ctx.executor(c.database.executor()));
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
    Executor tools = tools(ctx);
    if (!c.database.exists(tools, c.database.name())) {
      throw new RollbackException("database " + c.database.describe() + " does not exist: nothing to roll back;"
          + " to create it from " + b.name() + " use pg_restore/mariadb directly");
    }
    earlierCopies(ctx, tools);
    resolved.put(ctx, new Resolved(b, m));
    CodeRollbackGuard.databaseRestoredIn(ctx);
    Instant now = ctx.clock().instant();
    ctx.action("restore " + b.name() + " (" + m.format() + ", " + m.size() + " bytes, sha256 "
        + m.sha256().substring(0, 12) + "… verified; taken from " + m.database() + " " + Backup.humanAge(b.age(now))
        + " ago): DATA WILL BE LOST SINCE " + b.created() + " (kept in " + (c.mode == Mode.SWAP
        ? c.database.name() + "_pre_rb_<time> and " : "") + "the safety backup)");
    ctx.action("writers to stop: " + c.writers.describe());
  }

  /**
   * Names every copy earlier runs left on the server, and refuses while one of them may hold the original: an
   * earlier swap's {@code _pre_rb_} copy nobody acknowledged.
   */
  private void earlierCopies(RollbackContext ctx, Executor tools) {
    String name = c.database.name();
    java.util.regex.Pattern copy = earlierCopy();
    List<String> swappedOut = new ArrayList<>();
    for (String n : c.database.namesStartingWith(tools, name + "_")) {
      java.util.regex.Matcher mt = copy.matcher(n);
      if (!mt.matches()) {
        continue;
      }
      String when = runAt(mt.group(2));
      String ack = c.acknowledged.contains(n) ? " (acknowledged)" : "";
      switch (mt.group(1)) {
        case "pre_rb" -> {
          ctx.action("earlier copy " + n + ack + ": " + name + " as it was before the run of " + when
              + " swapped its restore into the name; " + name + " holds that restore (and writes since)");
          if (ack.isEmpty()) {
            swappedOut.add(n);
          }
        }
        case "kept_rb" -> ctx.action("earlier copy " + n + ": " + name + " as it was before the verified"
            + " rollback of " + when + " (kept whole, accounted for); drop it once that rollback is confirmed");
        case "rb" -> ctx.action("earlier copy " + n + ack + ": an unfinished restore of the run of " + when
            + ", which ended before its swap (" + name + " was not touched by it); drop it once no run uses it"
            + (c.writers.describe().equals("none") ? "" : ". If that run was killed after stopping the writers"
            + " (it stops them just before the swap), they may still be stopped: " + c.writers.startByHand()));
        default -> ctx.action("earlier copy " + n + ack + ": what the run of " + when + " restored, kept when it"
            + " swapped the original back; drop it once nobody needs it");
      }
    }
    if (swappedOut.isEmpty()) {
      return;
    }
    StringBuilder msg = new StringBuilder("an earlier run's swap is unaccounted for: ");
    for (String n : swappedOut) {
      String stamp = n.substring(n.length() - 14);
      msg.append(n).append(" holds ").append(name).append(" as it was before the run of ").append(runAt(stamp))
          .append(" swapped the backup's data into ").append(name).append("; ");
    }
    String first = swappedOut.get(swappedOut.size() - 1); // the names sort by time: the newest swap
    String stamp = first.substring(first.length() - 14);
    String swapBack;
    try {
      swapBack = c.database.byHand(c.database.swapSql(tools, first, name + "_rb_failed_" + stamp));
    } catch (RuntimeException e) {
      swapBack = "(the swap's SQL could not be built: " + e.getMessage() + ")";
    }
    msg.append(name).append(" now holds what that run restored, and whatever was written since. Restoring again"
        + " would keep that as \"the original\" and leave the real one where no report names it. To put ")
        .append(swappedOut.size() > 1 ? "the newest, " : "").append(first).append(" back as ").append(name)
        .append(" (keeping the current one as ").append(name).append("_rb_failed_").append(stamp).append(") run ")
        .append(swapBack).append("; or, once you know it is not needed, drop it; or, to restore over what ")
        .append(name).append(" holds now and keep the copies, call acknowledgeEarlierCopies(")
        .append(String.join(", ", swappedOut.stream().map(x -> "\"" + x + "\"").toList())).append(")");
    throw new RollbackException(msg.toString());
  }

  /** @return {@code 20261204101500} as {@code 2026-12-04 10:15:00 UTC} */
  private static String runAt(String stamp) {
    return stamp.substring(0, 4) + "-" + stamp.substring(4, 6) + "-" + stamp.substring(6, 8) + " "
        + stamp.substring(8, 10) + ":" + stamp.substring(10, 12) + ":" + stamp.substring(12, 14) + " UTC";
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
    s.safetyFormat = format;
    try {
      // a refused connection dumped nothing (and the partial file is gone): the backup may start again
      s.safety = new Reconnect(ctx, c.database, c.reconnect).call(() -> safetyCatalog.create(ctx, c.database,
          BackupCatalog.PRE_ROLLBACK, format));
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
    Reconnect rc = new Reconnect(ctx, c.database, c.reconnect);
    Executor tools = rc.executor(ctx.executor(c.database.executor()));
    if (c.mode == Mode.IN_PLACE) {
      s.createSql = c.database.createLikeSql(tools, c.database.name());
      s.restoreStarted = true;
      c.database.recreate(tools, s.createSql);
      c.database.restoreInto(ctx, s.source.backup, s.source.manifest.format(), c.database.name(), c.jobs, rc);
      checkRestored(ctx, tools, c.database.name());
      c.writers.start(ctx, s.writersStopped);
      s.writersStopped = null;
      return;
    }
    String fresh = newName(s);
    s.restoreStarted = true;
    c.database.createEmptyLike(tools, fresh);
    c.database.restoreInto(ctx, s.source.backup, s.source.manifest.format(), fresh, c.jobs, rc);
    checkRestored(ctx, tools, fresh);
    s.writersStopped = c.writers.stop(ctx);
    c.database.swap(tools, fresh, keepName(s));
    s.swapped = true;
    c.writers.start(ctx, s.writersStopped);
    s.writersStopped = null;
    ctx.action("the original database is kept, whole, as " + keepName(s) + " (writes made after "
        + s.safety.name() + " are in it); drop it when the rollback is confirmed");
  }

  /**
   * Puts the original back. When it cannot, throws a {@link RestoreIncompleteException} saying what is where (the
   * original untouched, or swapped out under {@code <name>_pre_rb_<time>}, or to be restored from the safety
   * backup; the writers stopped or not) and the one thing to do, with the exact SQL or command.
   */
  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    State s = (State) checkpoint;
    running.remove(ctx);
    Reconnect rc = new Reconnect(ctx, c.database, c.reconnect);
    Executor tools = rc.executor(ctx.executor(c.database.executor()));
    String name = c.database.name();
    String after;
    if (c.mode == Mode.IN_PLACE) {
      after = restoreInPlace(ctx, s, tools, rc);
    } else {
      if (!s.swapped && s.restoreStarted && !ctx.dryRun() && swappedAfterAll(tools, s)) {
        ctx.action("the swap happened after all (its answer was lost): " + keepName(s) + " exists and "
            + newName(s) + " does not");
        s.swapped = true;
      }
      if (s.swapped) {
        after = swapBack(ctx, s, tools);
      } else {
        neverTouched(ctx, s, tools);
        return;
      }
    }
    if (s.writersStopped != null) {
      try {
        c.writers.start(ctx, s.writersStopped);
      } catch (RuntimeException e) {
        throw new RestoreIncompleteException(after + "; the writers are still stopped", c.writers.startByHand(), e);
      }
      s.writersStopped = null;
    }
  }

  /**
   * The swap did not happen: the writers may run on the original at once, then the unfinished copy is dropped. A
   * failure of either is told with the other's outcome.
   */
  private void neverTouched(RollbackContext ctx, State s, Executor tools) {
    String situation = "the original database " + c.database.name() + " was never touched";
    RuntimeException startFailed = null;
    if (s.writersStopped != null) {
      try {
        c.writers.start(ctx, s.writersStopped);
        s.writersStopped = null;
      } catch (RuntimeException e) {
        startFailed = e;
      }
    }
    if (s.restoreStarted) {
      ctx.action(situation + "; drop the unfinished " + newName(s));
      try {
        c.database.drop(tools, newName(s));
      } catch (RuntimeException e) {
        throw new RestoreIncompleteException(situation + writersNote(s), "drop the unfinished copy `"
            + newName(s) + "`: run " + c.database.byHand(c.database.dropSql(newName(s))) + thenStart(s), e);
      }
      situation += "; the unfinished copy " + newName(s) + " is dropped";
    }
    if (startFailed != null) {
      throw new RestoreIncompleteException(situation + "; the writers are still stopped", c.writers.startByHand(),
          startFailed);
    }
  }

  /** @return true when the swap committed though the rollback saw it fail: the copies' names say so */
  private boolean swappedAfterAll(Executor tools, State s) {
    try {
      return c.database.exists(tools, keepName(s)) && !c.database.exists(tools, newName(s));
    } catch (RuntimeException e) {
      return false; // the server does not answer: the restore's own commands will say so
    }
  }

  private String swapBack(RollbackContext ctx, State s, Executor tools) {
    String name = c.database.name();
    String failed = failedName(s);
    String situation = "the swap happened: the original is " + keepName(s) + ", the restored data is " + name;
    ctx.action("swap the original back from " + keepName(s) + "; the restored database is kept as " + failed);
    if (s.writersStopped == null) {
      try {
        s.writersStopped = c.writers.stop(ctx);
      } catch (RuntimeException e) {
        throw new RestoreIncompleteException(situation + "; stopping the writers (" + c.writers.describe()
            + ") failed", "stop the writers, then put the original back: run " + swapBackSql(tools, s), e);
      }
    }
    try {
      c.database.swap(tools, keepName(s), failed);
    } catch (RuntimeException e) {
      throw new RestoreIncompleteException(situation + writersNote(s), "to put the original back run "
          + swapBackSql(tools, s) + thenStart(s), e);
    }
    return "the original database " + name + " is back (what the rollback restored is kept as " + failed + ")";
  }

  /** @return the SQL that swaps the original back, or, when it cannot be built now, what it must do */
  private String swapBackSql(Executor tools, State s) {
    try {
      return c.database.byHand(c.database.swapSql(tools, keepName(s), failedName(s)));
    } catch (RuntimeException e) {
      return "one RENAME TABLE moving every table of " + c.database.name() + " into a new schema " + failedName(s)
          + " and every table of " + keepName(s) + " into " + c.database.name() + " (the server did not answer"
          + " when this was written: " + e.getMessage() + ")";
    }
  }

  private String restoreInPlace(RollbackContext ctx, State s, Executor tools, Reconnect rc) {
    String name = c.database.name();
    if (!s.restoreStarted) {
      return "the database " + name + " was never touched";
    }
    ctx.action("put the original back from the safety backup " + s.safety.name());
    String safety = "the safety backup " + s.safety.path() + " (on " + s.safety.catalog().executor().describe() + ")";
    BackupManifest m;
    try {
      // checked before the database is dropped: a damaged safety backup must not cost what the database holds now
      m = s.safety.catalog().verify(ctx, s.safety);
    } catch (RuntimeException e) {
      throw new RestoreIncompleteException("the database " + name + " holds what the rollback restored (or part of"
          + " it); the original is only in " + safety + ", which fails its check" + writersNote(s), "find out why"
          + " the safety backup changed; only if it is sound, restore it into " + name + " emptied: "
          + restoreByHand(s) + thenStart(s), e);
    }
    try {
      if (s.writersStopped == null) {
        s.writersStopped = c.writers.stop(ctx);
      }
      c.database.recreate(tools, s.createSql);
      c.database.restoreInto(ctx, s.safety, m.format(), name, c.jobs, rc);
    } catch (RuntimeException e) {
      throw new RestoreIncompleteException("the database " + name + " was dropped and recreated for the restore;"
          + " the original is in " + safety + ", not restored yet: " + name + " holds part of it or nothing"
          + writersNote(s), "restore " + s.safety.path() + " into " + name + " emptied: " + restoreByHand(s)
          + thenStart(s), e);
    }
    return "the original database " + name + " is back from the safety backup " + s.safety.name();
  }

  /** @return how a person restores the safety backup into the emptied database: the SQL, then the restore tool */
  private String restoreByHand(State s) {
    String name = c.database.name();
    return "run " + c.database.byHand(c.database.dropSql(name) + "; " + s.createSql) + ", then `"
        + (s.safetyFormat.gzipped() ? "gunzip -c -- " + s.safety.path() + " | "
        + c.database.restore(s.safetyFormat, name, null, 1).display()
        : c.database.restore(s.safetyFormat, name, s.safety.path(), 1).display()) + "`";
  }

  private String writersNote(State s) {
    return s.writersStopped == null ? "" : "; the writers are stopped";
  }

  private String thenStart(State s) {
    return s.writersStopped == null ? "" : "; then " + c.writers.startByHand();
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
      // The plan is verified: this copy is accounted for. Its new name tells a later run's preflight so, where
      // a _pre_rb_ copy (a swap whose run never got this far) makes it refuse.
      String kept = c.database.name() + "_kept_rb_" + s.stamp;
      if (ctx.dryRun()) {
        ctx.action("would rename the original database " + keepName(s) + " to " + kept);
        return;
      }
      c.database.renameCopy(tools(ctx), keepName(s), kept);
      ctx.action("the original database stays, whole, as " + kept + " (renamed from " + keepName(s) + " now that"
          + " the plan is verified): drop it when the rollback is confirmed");
      return;
    }
    ctx.action("drop the original database " + keepName(s) + " (the plan is verified; the safety backup "
        + (s.safety == null ? "" : s.safety.name() + " ") + "stays)");
    c.database.drop(tools(ctx), keepName(s));
  }

  private void checkRestored(RollbackContext ctx, Executor tools, String db) {
    if (ctx.dryRun()) {
      ctx.action("would check " + db + ": at least one table" + (c.checks.isEmpty() ? ""
          : ", then " + c.checks.size() + " check(s)"));
      return;
    }
    int tables = c.database.tableCount(tools, db);
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
