package dev.rollback.db;

import dev.rollback.RollbackException;
import dev.rollback.exec.Command;
import dev.rollback.exec.Executor;
import dev.rollback.exec.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A MariaDB (or MySQL) database and where its client tools ({@code mariadb-dump}, {@code mariadb}) run.
 * Immutable; the setters return copies.
 *
 * <pre>{@code
 * MariaDbDatabase shop = MariaDbDatabase.named("shop").user("rollback").password(Secret.fromEnv("DBPASS"));
 * }</pre>
 *
 * <p>Defaults: host {@code 127.0.0.1} over TCP, port 3306, user {@code root}, no password, tools run locally and
 * are called {@code mariadb} and {@code mariadb-dump} (MySQL: {@link #clients(String, String)}), password by
 * environment ({@code MYSQL_PWD}).
 */
public final class MariaDbDatabase extends Database {
  private final String client;
  private final String dumpTool;

  private MariaDbDatabase(Conn conn, String client, String dumpTool) {
    super(conn);
    this.client = client;
    this.dumpTool = dumpTool;
  }

  /**
   * A database on the local server with the defaults above.
   *
   * @param name the database's name
   * @return the database
   * @throws IllegalArgumentException if the name is not valid
   */
  public static MariaDbDatabase named(String name) {
    return new MariaDbDatabase(defaults(name, 3306, "root"), "mariadb", "mariadb-dump");
  }

  /**
   * @param host the server's host as the tools see it; default {@code 127.0.0.1}
   * @return a copy
   */
  public MariaDbDatabase host(String host) {
    return copy(conn.host(host));
  }

  /**
   * @param port the server's port; default 3306
   * @return a copy
   */
  public MariaDbDatabase port(int port) {
    return copy(conn.port(port));
  }

  /**
   * @param user the user to log in as; default {@code root}
   * @return a copy
   */
  public MariaDbDatabase user(String user) {
    return copy(conn.user(user));
  }

  /**
   * @param password the password; default none
   * @return a copy
   */
  public MariaDbDatabase password(Secret password) {
    return copy(conn.password(password));
  }

  /**
   * @param executor where the client tools run; default local
   * @return a copy
   */
  public MariaDbDatabase via(Executor executor) {
    return copy(conn.executor(executor));
  }

  /**
   * @param delivery how the password reaches the tools; default environment
   * @return a copy
   */
  public MariaDbDatabase passwordDelivery(PasswordDelivery delivery) {
    return copy(conn.delivery(delivery));
  }

  /**
   * Names the client programs, e.g. {@code clients("mysql", "mysqldump")} for MySQL.
   *
   * @param client the SQL client; default {@code mariadb}
   * @param dump the dump tool; default {@code mariadb-dump}
   * @return a copy
   */
  public MariaDbDatabase clients(String client, String dump) {
    return new MariaDbDatabase(conn, nn(client, "client"), nn(dump, "dump"));
  }

  @Override
  public MariaDbDatabase withName(String name) {
    return copy(conn.name(name));
  }

  @Override
  MariaDbDatabase copy(Conn c) {
    return new MariaDbDatabase(c, client, dumpTool);
  }

  @Override
  public DbEngine engine() {
    return DbEngine.MARIADB;
  }

  @Override
  public String jdbcUrl() {
    return "jdbc:mariadb://" + conn.host() + ":" + conn.port() + "/" + conn.name();
  }

  private List<String> connArgs(String program) {
    return new ArrayList<>(List.of(program, "--protocol=tcp", "-h", conn.host(), "-P", String.valueOf(conn.port()),
        "-u", conn.user()));
  }

  @Override
  Command toolVersion() {
    return Command.of(dumpTool, "--version").readOnly();
  }

  @Override
  Command dump(BackupFormat format) {
    if (format != BackupFormat.MARIADB_SQL_GZ) {
      throw new IllegalArgumentException("MariaDB cannot write " + format);
    }
    List<String> a = connArgs(dumpTool);
    a.addAll(List.of("--single-transaction", "--quick", conn.name()));
    return Command.of(a);
  }

  @Override
  Command restore(BackupFormat format, String into, String file, int jobs) {
    if (format != BackupFormat.MARIADB_SQL_GZ) {
      throw new IllegalArgumentException("MariaDB cannot restore " + format);
    }
    List<String> a = connArgs(client);
    a.addAll(List.of("--batch", into));
    return Command.of(a);
  }

  @Override
  Command sql(String db, String sql) {
    List<String> a = connArgs(client);
    a.addAll(List.of("--batch", "--skip-column-names", "-e", sql, db));
    return Command.of(a);
  }

  @Override
  String passwordVariable() {
    return "MYSQL_PWD";
  }

  @Override
  Command withPasswordFile(Command command, String file) {
    // --defaults-extra-file must be the first option
    List<String> argv = new ArrayList<>(command.argv());
    argv.add(1, "--defaults-extra-file=" + file);
    Command c = Command.of(argv).withCaptureLimit(command.captureLimit());
    for (var e : command.env().entrySet()) {
      c = c.withEnv(e.getKey(), e.getValue());
    }
    for (var e : command.secretEnv().entrySet()) {
      c = c.withEnv(e.getKey(), e.getValue());
    }
    if (command.stdin().isPresent()) {
      c = c.withStdin(command.stdin().get(), command.stdinDescription());
    }
    if (command.stdout().isPresent()) {
      c = c.withStdout(command.stdout().get());
    }
    if (command.stderr().isPresent()) {
      c = c.withStderr(command.stderr().get());
    }
    if (command.timeout().isPresent()) {
      c = c.withTimeout(command.timeout().get());
    }
    if (command.workingDir().isPresent()) {
      c = c.withWorkingDir(command.workingDir().get());
    }
    return command.mutating() ? c : c.readOnly();
  }

  @Override
  String passwordFileContent() {
    String p = conn.password().reveal().replace("\\", "\\\\").replace("\"", "\\\"");
    return "[client]\npassword=\"" + p + "\"\n";
  }

  @Override
  String quoteIdent(String ident) {
    return "`" + ident.replace("`", "``") + "`";
  }

  @Override
  String literal(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  @Override
  String maintenanceDb() {
    return "information_schema";
  }

  @Override
  boolean exists(Executor ex, String db) {
    return !query(ex, maintenanceDb(), "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = "
        + literal(db)).isEmpty();
  }

  @Override
  int tableCount(Executor ex, String db) {
    return tables(ex, db).size();
  }

  private List<String> tables(Executor ex, String db) {
    return query(ex, maintenanceDb(), "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
        + literal(db) + " AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME").stream().map(r -> r.get(0)).toList();
  }

  @Override
  String createLikeSql(Executor ex, String newName) {
    List<List<String>> r = query(ex, maintenanceDb(), "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME"
        + " FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = " + literal(conn.name()));
    if (r.isEmpty()) {
      throw new RollbackException("database " + conn.name() + " not found on " + conn.host() + ":" + conn.port()
          + ": nothing to restore over; create it first or check the name");
    }
    return "CREATE DATABASE " + quoteIdent(newName) + " CHARACTER SET " + r.get(0).get(0) + " COLLATE "
        + r.get(0).get(1);
  }

  @Override
  void drop(Executor ex, String db) {
    execute(ex, maintenanceDb(), dropSql(db));
  }

  @Override
  String dropSql(String db) {
    return "DROP DATABASE IF EXISTS " + quoteIdent(db);
  }

  @Override
  List<String> namesStartingWith(Executor ex, String prefix) {
    return query(ex, maintenanceDb(), "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE LEFT(SCHEMA_NAME, "
        + prefix.length() + ") = " + literal(prefix) + " ORDER BY SCHEMA_NAME").stream().map(r -> r.get(0)).toList();
  }

  @Override
  String swapSql(Executor ex, String replacement, String keep) {
    String name = conn.name();
    List<String> moves = new ArrayList<>();
    tables(ex, name).forEach(t -> moves.add(quoteIdent(name) + "." + quoteIdent(t) + " TO " + quoteIdent(keep) + "."
        + quoteIdent(t)));
    tables(ex, replacement).forEach(t -> moves.add(quoteIdent(replacement) + "." + quoteIdent(t) + " TO "
        + quoteIdent(name) + "." + quoteIdent(t)));
    return "CREATE DATABASE IF NOT EXISTS " + quoteIdent(keep) + "; RENAME TABLE " + String.join(", ", moves) + ";";
  }

  /**
   * MariaDB cannot rename a database: one {@code RENAME TABLE} statement (atomic) moves every current table into
   * {@code keep} and every table of {@code replacement} into place. Views, triggers and routines do not move with
   * {@code RENAME TABLE} across schemas, so a schema holding any is refused: restore such a one in place.
   */
  /** One atomic {@code RENAME TABLE} moves every table of the copy into a new schema; the empty one is dropped. */
  @Override
  void renameCopy(Executor ex, String from, String to) {
    List<String> moves = new ArrayList<>();
    tables(ex, from).forEach(t -> moves.add(quoteIdent(from) + "." + quoteIdent(t) + " TO " + quoteIdent(to) + "."
        + quoteIdent(t)));
    StringBuilder sql = new StringBuilder("CREATE DATABASE IF NOT EXISTS " + quoteIdent(to) + ";");
    if (!moves.isEmpty()) {
      sql.append(" RENAME TABLE ").append(String.join(", ", moves)).append(';');
    }
    sql.append(" DROP DATABASE ").append(quoteIdent(from)).append(';');
    execute(ex, maintenanceDb(), sql.toString());
  }

  @Override
  void swap(Executor ex, String replacement, String keep) {
    String name = conn.name();
    List<List<String>> blockers = query(ex, maintenanceDb(), "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME, ' (view)')"
        + " FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN (" + literal(name) + ", " + literal(replacement) + ")"
        + " UNION ALL SELECT CONCAT(TRIGGER_SCHEMA, '.', TRIGGER_NAME, ' (trigger)') FROM information_schema.TRIGGERS"
        + " WHERE TRIGGER_SCHEMA IN (" + literal(name) + ", " + literal(replacement) + ")");
    if (!blockers.isEmpty()) {
      throw new RollbackException("cannot swap " + replacement + " into " + name + " table by table: "
          + blockers.stream().map(r -> r.get(0)).collect(Collectors.joining(", "))
          + " would not move with RENAME TABLE; restore this database with DbRestoreRollback...restoreInPlace()");
    }
    List<String> current = tables(ex, name);
    List<String> incoming = tables(ex, replacement);
    if (!exists(ex, keep)) {
      createEmptyLike(ex, keep);
    }
    for (List<String> row : query(ex, maintenanceDb(), "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = "
        + literal(name) + " AND ID <> CONNECTION_ID()")) {
      run(ex, sql(maintenanceDb(), "KILL CONNECTION " + Long.parseLong(row.get(0))));
    }
    List<String> moves = new ArrayList<>();
    current.forEach(t -> moves.add(quoteIdent(name) + "." + quoteIdent(t) + " TO " + quoteIdent(keep) + "."
        + quoteIdent(t)));
    incoming.forEach(t -> moves.add(quoteIdent(replacement) + "." + quoteIdent(t) + " TO " + quoteIdent(name) + "."
        + quoteIdent(t)));
    if (!moves.isEmpty()) {
      execute(ex, maintenanceDb(), "RENAME TABLE " + String.join(", ", moves));
    }
    // The swap is done: the emptied schema is only tidied up, and failing to drop it must not undo the swap.
    run(ex, sql(maintenanceDb(), "DROP DATABASE IF EXISTS " + quoteIdent(replacement)));
  }
}
