package dev.rollback.db;

import dev.rollback.RollbackException;
import dev.rollback.exec.Command;
import dev.rollback.exec.CommandFailedException;
import dev.rollback.exec.Executor;
import dev.rollback.exec.Secret;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL database and where its client tools ({@code pg_dump}, {@code pg_restore}, {@code psql}) run.
 * Immutable; the setters return copies.
 *
 * <pre>{@code
 * PostgresDatabase app = PostgresDatabase.named("app").user("rollback").password(Secret.fromEnv("PGPASS"))
 *     .via(SshExecutor.connect("deploy@db1", SshOptions.defaults()));
 * }</pre>
 *
 * <p>Defaults: host {@code 127.0.0.1}, port 5432, user {@code postgres}, no password, tools run locally, password
 * by environment ({@code PGPASSWORD}). Every tool runs with {@code -w} (never prompt) and {@code psql} with
 * {@code -X} (no {@code .psqlrc}) and {@code ON_ERROR_STOP=1}.
 */
public final class PostgresDatabase extends Database {

  private PostgresDatabase(Conn conn) {
    super(conn);
  }

  /**
   * A database on the local server with the defaults above.
   *
   * @param name the database's name (letters, digits, {@code _}, {@code $}; at most 63)
   * @return the database
   * @throws IllegalArgumentException if the name is not valid
   */
  public static PostgresDatabase named(String name) {
    return new PostgresDatabase(defaults(name, 5432, "postgres"));
  }

  /**
   * @param host the server's host as the tools see it; default {@code 127.0.0.1}
   * @return a copy
   */
  public PostgresDatabase host(String host) {
    return copy(conn.host(host));
  }

  /**
   * @param port the server's port; default 5432
   * @return a copy
   */
  public PostgresDatabase port(int port) {
    return copy(conn.port(port));
  }

  /**
   * @param user the user to log in as; default {@code postgres}
   * @return a copy
   */
  public PostgresDatabase user(String user) {
    return copy(conn.user(user));
  }

  /**
   * @param password the password; default none
   * @return a copy
   */
  public PostgresDatabase password(Secret password) {
    return copy(conn.password(password));
  }

  /**
   * @param executor where the client tools run; default local
   * @return a copy
   */
  public PostgresDatabase via(Executor executor) {
    return copy(conn.executor(executor));
  }

  /**
   * @param delivery how the password reaches the tools; default environment
   * @return a copy
   */
  public PostgresDatabase passwordDelivery(PasswordDelivery delivery) {
    return copy(conn.delivery(delivery));
  }

  @Override
  public PostgresDatabase withName(String name) {
    return copy(conn.name(name));
  }

  @Override
  PostgresDatabase copy(Conn c) {
    return new PostgresDatabase(c);
  }

  @Override
  public DbEngine engine() {
    return DbEngine.POSTGRESQL;
  }

  @Override
  public String jdbcUrl() {
    return "jdbc:postgresql://" + conn.host() + ":" + conn.port() + "/" + conn.name();
  }

  private List<String> connArgs(String program) {
    List<String> a = new ArrayList<>(List.of(program, "-h", conn.host(), "-p", String.valueOf(conn.port()), "-U",
        conn.user(), "-w"));
    if (program.equals("psql")) {
      a.add("-X");
    }
    return a;
  }

  @Override
  Command toolVersion() {
    return Command.of("pg_dump", "--version").readOnly();
  }

  @Override
  Command dump(BackupFormat format) {
    List<String> a = connArgs("pg_dump");
    switch (format) {
      case PG_CUSTOM -> a.add("-Fc");
      case PG_SQL_GZ -> a.addAll(List.of("-Fp", "-Z", "6"));
      default -> throw new IllegalArgumentException("PostgreSQL cannot write " + format);
    }
    a.addAll(List.of("-d", conn.name()));
    return Command.of(a);
  }

  @Override
  Command restore(BackupFormat format, String into, String file, int jobs) {
    if (format == BackupFormat.PG_SQL_GZ) {
      List<String> a = connArgs("psql");
      a.addAll(List.of("-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", into));
      return Command.of(a);
    }
    if (format != BackupFormat.PG_CUSTOM) {
      throw new IllegalArgumentException("PostgreSQL cannot restore " + format);
    }
    List<String> a = connArgs("pg_restore");
    a.addAll(List.of("-d", into, "--exit-on-error"));
    if (file != null && jobs > 1) {
      a.addAll(List.of("-j", String.valueOf(jobs)));
    } else {
      a.add("--single-transaction");
    }
    if (file != null) {
      a.add(file);
    }
    return Command.of(a);
  }

  @Override
  Command sql(String db, String sql) {
    List<String> a = connArgs("psql");
    a.addAll(List.of("-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql));
    return Command.of(a);
  }

  @Override
  String passwordVariable() {
    return "PGPASSWORD";
  }

  @Override
  Command withPasswordFile(Command command, String file) {
    return command.withEnv("PGPASSFILE", file);
  }

  @Override
  String passwordFileContent() {
    return esc(conn.host()) + ":" + conn.port() + ":*:" + esc(conn.user()) + ":" + esc(conn.password().reveal())
        + "\n";
  }

  private static String esc(String s) {
    return s.replace("\\", "\\\\").replace(":", "\\:");
  }

  @Override
  String quoteIdent(String ident) {
    return "\"" + ident.replace("\"", "\"\"") + "\"";
  }

  @Override
  String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  @Override
  String maintenanceDb() {
    return "postgres";
  }

  @Override
  boolean exists(Executor ex, String db) {
    return !query(ex, maintenanceDb(), "SELECT 1 FROM pg_database WHERE datname = " + literal(db)).isEmpty();
  }

  @Override
  int tableCount(Executor ex, String db) {
    List<List<String>> r = query(ex, db, "SELECT count(*) FROM pg_catalog.pg_tables"
        + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
    return r.isEmpty() ? 0 : Integer.parseInt(r.get(0).get(0).strip());
  }

  @Override
  String createLikeSql(Executor ex, String newName) {
    List<List<String>> r = query(ex, maintenanceDb(), "SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding),"
        + " datcollate, datctype FROM pg_database WHERE datname = " + literal(conn.name()));
    if (r.isEmpty()) {
      throw new RollbackException("database " + conn.name() + " not found on " + conn.host() + ":" + conn.port()
          + ": nothing to restore over; create it first or check the name");
    }
    String sql = "CREATE DATABASE " + quoteIdent(newName) + " TEMPLATE template0";
    if (!r.isEmpty()) {
      List<String> row = r.get(0);
      sql += " OWNER " + quoteIdent(row.get(0)) + " ENCODING " + literal(row.get(1)) + " LC_COLLATE "
          + literal(row.get(2)) + " LC_CTYPE " + literal(row.get(3));
    }
    return sql;
  }

  @Override
  void drop(Executor ex, String db) {
    execute(ex, maintenanceDb(), dropSql(db));
  }

  @Override
  String dropSql(String db) {
    return "DROP DATABASE IF EXISTS " + quoteIdent(db) + " WITH (FORCE)";
  }

  @Override
  List<String> namesStartingWith(Executor ex, String prefix) {
    return query(ex, maintenanceDb(), "SELECT datname FROM pg_database WHERE left(datname, " + prefix.length()
        + ") = " + literal(prefix) + " ORDER BY datname").stream().map(r -> r.get(0)).toList();
  }

  @Override
  String swapSql(Executor ex, String replacement, String keep) {
    String cur = quoteIdent(conn.name());
    // One transaction: no moment where the name is missing. RENAME waits up to 5 s for terminated backends to go.
    return "ALTER DATABASE " + cur + " WITH ALLOW_CONNECTIONS false;"
        + " SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = " + literal(conn.name())
        + " AND pid <> pg_backend_pid();"
        + " ALTER DATABASE " + cur + " RENAME TO " + quoteIdent(keep) + ";"
        + " ALTER DATABASE " + quoteIdent(replacement) + " RENAME TO " + cur + ";"
        + " ALTER DATABASE " + cur + " WITH ALLOW_CONNECTIONS true;";
  }

  @Override
  void renameCopy(Executor ex, String from, String to) {
    // the copy disallows connections, so nobody holds it open
    execute(ex, maintenanceDb(), "ALTER DATABASE " + quoteIdent(from) + " RENAME TO " + quoteIdent(to) + ";");
  }

  @Override
  void swap(Executor ex, String replacement, String keep) {
    String sql = swapSql(ex, replacement, keep);
    CommandFailedException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        execute(ex, maintenanceDb(), sql);
        return;
      } catch (CommandFailedException e) {
        last = e;
        if (!e.getMessage().contains("being accessed by other users")) {
          throw e;
        }
      }
    }
    throw new RollbackException("cannot swap " + replacement + " into " + conn.name()
        + ": clients kept reconnecting to " + conn.name() + " after 3 attempts; stop every writer and reader first",
        last);
  }
}
