package dev.rollback.db;

import dev.rollback.RollbackContext;
import dev.rollback.db.internal.Pipe;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.exec.Secret;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One database on a server, and where its client tools run. Immutable: every {@code withX}-style setter returns a
 * copy. The tools ({@code pg_dump}, {@code psql}, {@code mariadb}, ...) run through an {@link Executor}: locally
 * (the default), over SSH, or inside the database's container; the password reaches them by environment or a
 * mode-600 file ({@link PasswordDelivery}), never argv.
 *
 * <p>Subclasses: {@link PostgresDatabase}, {@link MariaDbDatabase}.
 */
public abstract sealed class Database permits PostgresDatabase, MariaDbDatabase {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");

  /** The connection facts shared by every engine. */
  record Conn(String host, int port, String name, String user, Secret password, Executor executor,
      PasswordDelivery delivery) {
    Conn host(String h) {
      return new Conn(nn(h, "host"), port, name, user, password, executor, delivery);
    }

    Conn port(int p) {
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("not a port: " + p);
      }
      return new Conn(host, p, name, user, password, executor, delivery);
    }

    Conn name(String n) {
      return new Conn(host, port, checkName(n), user, password, executor, delivery);
    }

    Conn user(String u) {
      return new Conn(host, port, name, nn(u, "user"), password, executor, delivery);
    }

    Conn password(Secret p) {
      return new Conn(host, port, name, user, nn(p, "password"), executor, delivery);
    }

    Conn executor(Executor e) {
      return new Conn(host, port, name, user, password, nn(e, "executor"), delivery);
    }

    Conn delivery(PasswordDelivery d) {
      return new Conn(host, port, name, user, password, executor, nn(d, "delivery"));
    }
  }

  final Conn conn;

  Database(Conn conn) {
    this.conn = conn;
  }

  static Conn defaults(String name, int port, String user) {
    return new Conn("127.0.0.1", port, checkName(name), user, null, LocalExecutor.create(),
        PasswordDelivery.ENVIRONMENT);
  }

  static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a database name rollback-db handles: '" + name
          + "' (letters, digits, '_' and '$', not starting with a digit, at most 63)");
    }
    return name;
  }

  /** @return the engine */
  public abstract DbEngine engine();

  /** @return the server's host as the tools see it; default {@code 127.0.0.1} */
  public String host() {
    return conn.host;
  }

  /** @return the server's port; default 5432 (PostgreSQL) or 3306 (MariaDB) */
  public int port() {
    return conn.port;
  }

  /** @return the database's name */
  public String name() {
    return conn.name;
  }

  /** @return the user the tools log in as; default {@code postgres} or {@code root} */
  public String user() {
    return conn.user;
  }

  /** @return the password, or null when none is set (the tools then rely on peer or trust authentication) */
  public Secret password() {
    return conn.password;
  }

  /** @return where the client tools run; default {@link LocalExecutor#create()} */
  public Executor executor() {
    return conn.executor;
  }

  /** @return how the password reaches the tools; default {@link PasswordDelivery#ENVIRONMENT} */
  public PasswordDelivery passwordDelivery() {
    return conn.delivery;
  }

  /** @return a JDBC URL for this database, for {@link SqlCheck} and tests */
  public abstract String jdbcUrl();

  /**
   * The same server, user and executor, another database: the restore target, the kept original.
   *
   * @param name the other database's name
   * @return a copy
   */
  public abstract Database withName(String name);

  abstract Database copy(Conn conn);

  /** @return one line: {@code postgresql app on 127.0.0.1:5432 as rollback (tools: local)} */
  public String describe() {
    return engine().name().toLowerCase(java.util.Locale.ROOT) + " " + conn.name + " on " + conn.host + ":"
        + conn.port + " as " + conn.user + " (tools: " + conn.executor.describe() + ")";
  }

  @Override
  public String toString() {
    return describe();
  }

  // ---- engine-specific commands, used by BackupCatalog and DbRestoreRollback ----

  /** @return the command that prints the dump tool's version, read-only */
  abstract Command toolVersion();

  /** @return a command writing a dump of this database in {@code format} to stdout */
  abstract Command dump(BackupFormat format);

  /**
   * A command restoring into database {@code into}.
   *
   * @param format the backup's format
   * @param into the database to restore into (created and empty)
   * @param file the dump's path on the tools' host, or null to read stdin
   * @param jobs parallel jobs (PostgreSQL custom format from a file only)
   */
  abstract Command restore(BackupFormat format, String into, String file, int jobs);

  /** @return a command running SQL against database {@code db}, tab-separated rows, no headers */
  abstract Command sql(String db, String sql);

  /** @return the name of the environment variable the tools read the password from */
  abstract String passwordVariable();

  /** @return the command adjusted to read the password from {@code file} */
  abstract Command withPasswordFile(Command command, String file);

  /** @return the content of the password file */
  abstract String passwordFileContent();

  /** @return an identifier quoted for this engine's SQL */
  abstract String quoteIdent(String ident);

  /** @return a string literal for this engine's SQL */
  abstract String literal(String text);

  /** A tool command with the password attached, and what to run after it. */
  record Prepared(Command command, Runnable cleanup) {}

  /**
   * Attaches the password to a tool command as {@link #passwordDelivery()} says. With {@link PasswordDelivery#FILE}
   * the file is written now (mode 600, through {@code ex}) and removed by {@link Prepared#cleanup()}.
   */
  Prepared prepare(Executor ex, Command command) {
    if (conn.password == null) {
      return new Prepared(command, () -> {});
    }
    if (conn.delivery == PasswordDelivery.ENVIRONMENT) {
      return new Prepared(command.withEnv(passwordVariable(), conn.password), () -> {});
    }
    String file = "/tmp/.rollback-pw-" + UUID.randomUUID();
    Command write = Command.of("sh", "-c", "umask 077 && cat > \"$1\"", "sh", file)
        .withStdin(passwordFileContent().getBytes(StandardCharsets.UTF_8));
    Command remove = Command.of("rm", "-f", "--", file);
    if (!command.mutating()) {
      write = write.readOnly();
      remove = remove.readOnly();
    }
    ex.run(write).requireSuccess();
    Command rm = remove;
    return new Prepared(withPasswordFile(command, file), () -> ex.run(rm));
  }

  /**
   * Runs a tool command with the password attached.
   *
   * @param ex the (context-wrapped) executor of this database's tools
   * @param command the command
   * @return its result, not checked
   */
  ExecResult run(Executor ex, Command command) {
    Prepared p = prepare(ex, command);
    try {
      return ex.run(p.command());
    } finally {
      p.cleanup().run();
    }
  }

  /**
   * Runs a query and returns its rows, each a list of tab-separated columns.
   *
   * @param ex the executor
   * @param db the database to run it in
   * @param sql the query
   * @return the rows
   */
  List<List<String>> query(Executor ex, String db, String sql) {
    String out = run(ex, sql(db, sql).readOnly()).requireSuccess().stdout();
    return out.lines().filter(l -> !l.isEmpty()).map(l -> List.of(l.split("\t", -1))).toList();
  }

  /** Runs a statement that changes state. */
  void execute(Executor ex, String db, String sql) {
    run(ex, sql(db, sql)).requireSuccess();
  }

  /**
   * Restores a backup into database {@code into}: {@code pg_restore -j N} straight from the file when the backup's
   * catalogue runs on this database's executor and the format allows; otherwise the file streams from the
   * catalogue's host ({@code cat} or {@code gunzip -c}) through this JVM into the restore tool, in one transaction.
   */
  void restoreInto(RollbackContext ctx, Backup backup, BackupFormat format, String into, int jobs,
      Reconnect reconnect) {
    Executor tools = ctx.executor(conn.executor());
    if (format == BackupFormat.PG_CUSTOM && jobs > 1 && backup.catalog().executor() == conn.executor()) {
      run(reconnect.executor(tools), restore(format, into, backup.path(), jobs)).requireSuccess();
      return;
    }
    Command read = format.gzipped() ? Command.of("gunzip", "-c", "--", backup.path())
        : Command.of("cat", "--", backup.path());
    Prepared load = prepare(tools, restore(format, into, null, 1));
    try {
      // a refused connection ran nothing: the whole pipe runs again, the file read from its start
      reconnect.call(() -> Pipe.run(ctx.executor(backup.catalog().executor()), read, tools, load.command()));
    } finally {
      load.cleanup().run();
    }
  }

  /** @return the databases (MariaDB: schemas) on the server whose names start with {@code prefix}, sorted */
  abstract List<String> namesStartingWith(Executor ex, String prefix);

  /**
   * The SQL {@link #swap} runs, for a person to run by hand: moves {@code replacement} into this database's name and
   * the current one to {@code keep}.
   *
   * @param ex the executor (MariaDB lists the tables to move)
   * @return the statements, {@code ;}-separated
   */
  abstract String swapSql(Executor ex, String replacement, String keep);

  /** @return the database to connect to for server-wide statements (CREATE, DROP, RENAME) */
  abstract String maintenanceDb();

  /** @return true when database {@code db} exists on the server */
  abstract boolean exists(Executor ex, String db);

  /** @return how many user tables database {@code db} holds */
  abstract int tableCount(Executor ex, String db);

  /** @return the statement creating empty database {@code newName} with this one's owner, encoding, collation */
  abstract String createLikeSql(Executor ex, String newName);

  /** Creates empty database {@code newName} with this database's owner, encoding and collation. */
  void createEmptyLike(Executor ex, String newName) {
    execute(ex, maintenanceDb(), createLikeSql(ex, newName));
  }

  /** Drops this database and creates it again, empty, with {@code create} from {@link #createLikeSql}. */
  void recreate(Executor ex, String create) {
    drop(ex, conn.name());
    execute(ex, maintenanceDb(), create);
  }

  /** Drops database {@code db} if it exists, ending its connections first. */
  abstract void drop(Executor ex, String db);

  /** @return the statement {@link #drop} runs */
  abstract String dropSql(String db);

  /**
   * @param sql statements
   * @return how a person runs them by hand: {@code `<sql>` as rollback on 127.0.0.1:5432}
   */
  String byHand(String sql) {
    return "`" + sql + "` as " + conn.user() + " on " + conn.host() + ":" + conn.port();
  }

  /**
   * Moves {@code replacement} into this database's name and keeps the current one as {@code keep}, atomically where
   * the engine allows, ending the connections to the current one first.
   */
  abstract void swap(Executor ex, String replacement, String keep);

  /**
   * Renames a database (PostgreSQL) or moves a schema's tables into a new one (MariaDB), for a copy this SDK made
   * by a swap: it holds tables only.
   *
   * @param ex the tools' executor
   * @param from the copy's name
   * @param to its new name
   */
  abstract void renameCopy(Executor ex, String from, String to);

  static <T> T nn(T v, String what) {
    return Objects.requireNonNull(v, what);
  }
}
