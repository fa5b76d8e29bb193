package dev.rollback.db;

import dev.rollback.Checkpoint;
import dev.rollback.RestoreIncompleteException;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import dev.rollback.db.migration.Alembic;
import dev.rollback.db.migration.Django;
import dev.rollback.db.migration.Flyway;
import dev.rollback.db.migration.Liquibase;
import dev.rollback.db.migration.MigrationTarget;
import dev.rollback.db.migration.MigrationTool;
import dev.rollback.db.migration.Rails;
import dev.rollback.exec.Command;
import dev.rollback.exec.CommandFailedException;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.exec.Secret;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Downgrades a schema with its migration tool (seed 003's {@code alembic downgrade -1}): checkpoint = the current
 * revision, rollback = the tool's downgrade, restore = upgrade back to the checkpoint's revision. A preview runs the
 * tool's SQL preview ({@code alembic downgrade <cur>:-1 --sql}, {@code liquibase rollback-count-sql},
 * {@code sqlmigrate --backwards}) for real, since it changes nothing, and shows the SQL.
 *
 * <pre>{@code
 * MigrationDowngrade.alembic(ssh).inDirectory("/srv/app").steps(1)
 * MigrationDowngrade.alembic(ssh).command("docker-compose", "-f", "docker-compose.prod.yml", "run", "--rm", "app",
 *     "alembic").toRevision("a1b2c3")
 * MigrationDowngrade.django(local, "orders").toRevision("0003")
 * }</pre>
 *
 * <p>A downgrade drops what its migrations added (seed 002: "DANGEROUS: Data loss"): check the change with
 * {@link MigrationRisk} first, and take a backup. Defaults: one step back, the tool's usual command (e.g.
 * {@code alembic}, {@code bin/rails}, {@code python manage.py}), the executor's working directory, no extra
 * environment. Immutable; the setters return copies.
 */
public final class MigrationDowngrade implements RollbackStrategy {
  private static final int PREVIEW_LINES = 60;

  private final Executor executor;
  private final MigrationTool tool;
  private final List<String> command;
  private final String dir;
  private final Map<String, String> env;
  private final Map<String, Secret> secretEnv;
  private final MigrationTarget target;
  private final Duration reconnect;

  private MigrationDowngrade(Executor executor, MigrationTool tool, List<String> command, String dir,
      Map<String, String> env, Map<String, Secret> secretEnv, MigrationTarget target) {
    this(executor, tool, command, dir, env, secretEnv, target, Reconnect.DEFAULT);
  }

  private MigrationDowngrade(Executor executor, MigrationTool tool, List<String> command, String dir,
      Map<String, String> env, Map<String, Secret> secretEnv, MigrationTarget target, Duration reconnect) {
    this.reconnect = reconnect;
    this.executor = executor;
    this.tool = tool;
    this.command = command;
    this.dir = dir;
    this.env = env;
    this.secretEnv = secretEnv;
    this.target = target;
  }

  /**
   * A downgrade with any tool.
   *
   * @param executor where the tool runs
   * @param tool the tool
   * @return the strategy, one step back
   */
  public static MigrationDowngrade using(Executor executor, MigrationTool tool) {
    return new MigrationDowngrade(Objects.requireNonNull(executor, "executor"), Objects.requireNonNull(tool, "tool"),
        tool.defaultCommand(), null, Map.of(), Map.of(), MigrationTarget.steps(1));
  }

  /**
   * @param executor where {@code alembic} runs
   * @return an alembic downgrade, one step back
   */
  public static MigrationDowngrade alembic(Executor executor) {
    return using(executor, new Alembic());
  }

  /**
   * @param executor where {@code liquibase} runs
   * @return a Liquibase rollback, one changeset back
   */
  public static MigrationDowngrade liquibase(Executor executor) {
    return using(executor, new Liquibase());
  }

  /**
   * @param executor where {@code flyway} runs
   * @return a Flyway undo, one migration back (Teams or Enterprise only; refused up front otherwise)
   */
  public static MigrationDowngrade flyway(Executor executor) {
    return using(executor, new Flyway());
  }

  /**
   * @param executor where {@code bin/rails} runs
   * @return a Rails {@code db:rollback}, one step back
   */
  public static MigrationDowngrade rails(Executor executor) {
    return using(executor, new Rails());
  }

  /**
   * @param executor where {@code python manage.py} runs
   * @param app the Django app
   * @return a Django migrate; set the migration with {@link #toRevision}
   */
  public static MigrationDowngrade django(Executor executor, String app) {
    return using(executor, new Django(app));
  }

  /**
   * Replaces the program that runs the tool, e.g. {@code docker-compose run --rm app alembic} (seed 003).
   *
   * @param argv the program and its fixed arguments; default the tool's own ({@code alembic})
   * @return a copy
   */
  public MigrationDowngrade command(String... argv) {
    if (argv.length == 0) {
      throw new IllegalArgumentException("a command needs a program");
    }
    return new MigrationDowngrade(executor, tool, List.of(argv), dir, env, secretEnv, target, reconnect);
  }

  /**
   * @param directory where the tool runs (the project with {@code alembic.ini}); default the executor's
   * @return a copy
   */
  public MigrationDowngrade inDirectory(String directory) {
    return new MigrationDowngrade(executor, tool, command, Objects.requireNonNull(directory, "directory"), env,
        secretEnv, target, reconnect);
  }

  /**
   * @param name an environment variable for the tool, e.g. {@code DATABASE_URL} (without a password)
   * @param value its value
   * @return a copy
   */
  public MigrationDowngrade withEnv(String name, String value) {
    Map<String, String> e = new LinkedHashMap<>(env);
    e.put(name, value);
    return new MigrationDowngrade(executor, tool, command, dir, Map.copyOf(e), secretEnv, target, reconnect);
  }

  /**
   * @param name a secret environment variable for the tool, e.g. {@code PGPASSWORD}
   * @param value its value, never shown
   * @return a copy
   */
  public MigrationDowngrade withEnv(String name, Secret value) {
    Map<String, Secret> e = new LinkedHashMap<>(secretEnv);
    e.put(name, value);
    return new MigrationDowngrade(executor, tool, command, dir, env, Map.copyOf(e), target, reconnect);
  }

  /**
   * @param n migrations to undo; default 1
   * @return a copy
   */
  public MigrationDowngrade steps(int n) {
    return new MigrationDowngrade(executor, tool, command, dir, env, secretEnv, MigrationTarget.steps(n), reconnect);
  }

  /**
   * @param revision the revision to end at
   * @return a copy
   */
  public MigrationDowngrade toRevision(String revision) {
    return new MigrationDowngrade(executor, tool, command, dir, env, secretEnv, MigrationTarget.revision(revision),
        reconnect);
  }

  /**
   * How long the restore's upgrade waits for a database that refuses connections while it restarts ("could not
   * connect", "Connection refused", "the database system is starting up", MariaDB's "Can't connect" in the tool's
   * output): the refused upgrade ran nothing, so it runs again (after 250 ms, then up to every 2 s) until this time
   * has passed.
   *
   * @param within at least zero; zero tries once; default 30 s
   * @return a copy
   */
  public MigrationDowngrade reconnectWithin(Duration within) {
    Objects.requireNonNull(within, "within");
    if (within.isNegative()) {
      throw new IllegalArgumentException("reconnectWithin must be >= 0, was " + within);
    }
    return new MigrationDowngrade(executor, tool, command, dir, env, secretEnv, target, within);
  }

  /** @return how far the downgrade goes */
  public MigrationTarget target() {
    return target;
  }

  @Override
  public String describe() {
    return tool.name() + " downgrade, " + target + " (" + String.join(" ", command) + " on " + executor.describe()
        + (dir == null ? "" : " in " + dir) + ")";
  }

  /** The checkpoint: the revision before the downgrade. */
  record Revision(String revision, String tool) implements Checkpoint {
    @Override
    public String describe() {
      return tool + " at revision " + revision;
    }
  }

  Command cmd(List<String> args) {
    List<String> argv = new ArrayList<>(command);
    argv.addAll(args);
    Command c = Command.of(argv);
    if (dir != null) {
      c = c.withWorkingDir(dir);
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      c = c.withEnv(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Secret> e : secretEnv.entrySet()) {
      c = c.withEnv(e.getKey(), e.getValue());
    }
    return c;
  }

  private String current(Executor ex) {
    return tool.parseCurrent(ex.run(cmd(tool.currentArgs()).readOnly()).requireSuccess().stdout());
  }

  @Override
  public void preflight(RollbackContext ctx) {
    Executor ex = ctx.executor(executor);
    Optional<List<String>> pre = tool.preflightArgs();
    if (pre.isPresent()) {
      tool.checkPreflight(ex.run(cmd(pre.get()).readOnly()));
    }
    String cur = current(ex);
    if (cur.equals("base") || cur.equals("zero")) {
      throw new RollbackException(tool.name() + " reports no applied migration (" + cur + "): nothing to"
          + " downgrade; check the database URL the tool uses");
    }
    if (target.isRevision() && target.revision().equals(cur)) {
      throw new RollbackException(tool.name() + " is already at revision " + cur + ": nothing to downgrade");
    }
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    return new Revision(current(ctx.executor(executor)), tool.name());
  }

  @Override
  public void rollback(RollbackContext ctx) {
    Executor ex = ctx.executor(executor);
    String cur = current(ex);
    if (ctx.dryRun()) {
      Optional<List<String>> preview = tool.previewArgs(target, cur);
      if (preview.isPresent()) {
        ExecResult r = ex.run(cmd(preview.get()).readOnly());
        ctx.action(r.succeeded() ? "SQL the downgrade from " + cur + " runs:\n" + head(r.stdout())
            : "could not print the downgrade's SQL (" + r.describeEnd() + "): " + r.stderr().strip());
      } else {
        ctx.action(tool.name() + " prints no SQL preview of a downgrade");
      }
    }
    ExecResult r = ex.run(cmd(tool.downgradeArgs(target, cur)));
    if (!r.succeeded()) {
      throw tool.downgradeFailed(r);
    }
    if (!ctx.dryRun()) {
      ctx.action(tool.name() + " now at revision " + current(ex) + " (was " + cur + ")");
    }
  }

  /**
   * Upgrades back to the checkpoint's revision, waiting out a restarting database ({@link #reconnectWithin}). When
   * that fails, throws a {@link RestoreIncompleteException} naming the revision the tool is at now and the exact
   * command that finishes the job.
   */
  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    String rev = ((Revision) checkpoint).revision();
    ctx.action("upgrade " + tool.name() + " back to " + rev);
    Reconnect rc = new Reconnect(ctx, tool.name() + "'s database", reconnect);
    Executor ex = rc.executor(ctx.executor(executor));
    Command up = cmd(tool.upgradeArgs(rev, target));
    ExecResult r = ex.run(up);
    if (r.succeeded()) {
      return;
    }
    String now;
    try {
      now = "it is at revision " + current(ex);
    } catch (RuntimeException e) {
      now = "its revision could not be read (" + e.getMessage().lines().findFirst().orElse("") + ")";
    }
    throw new RestoreIncompleteException(tool.name() + " was downgraded from revision " + rev + "; upgrading it back"
        + " failed and " + now, "run `" + up.display() + "` on " + executor.describe(), new CommandFailedException(r));
  }

  private static String head(String text) {
    List<String> lines = text.lines().toList();
    if (lines.size() <= PREVIEW_LINES) {
      return text.strip();
    }
    return String.join("\n", lines.subList(0, PREVIEW_LINES)) + "\n... (" + (lines.size() - PREVIEW_LINES)
        + " more lines)";
  }
}
