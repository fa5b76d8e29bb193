package dev.rollback.examples.support;

import dev.rollback.db.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** JDBC statements for setting up and inspecting the examples' databases (the password stays a Secret). */
public final class Sql {
  private Sql() {}

  /**
   * Runs statements in one connection, autocommit.
   *
   * @param db the database
   * @param statements SQL statements
   */
  public static void exec(Database db, String... statements) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password().reveal());
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL on " + db.name() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * @param db the database
   * @param sql a query
   * @return the first column of every row, as text
   */
  public static List<String> column(Database db, String sql) {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password().reveal());
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("SQL on " + db.name() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Drops databases whose names start with a prefix (the examples' own, and what a swap-mode restore leaves:
   * {@code <name>_pre_rb_<time>}, {@code <name>_rb_failed_<time>}).
   *
   * @param maintenance a connection to the maintenance database ({@code postgres})
   * @param prefix e.g. {@code rbseed001}
   */
  public static void dropPostgresDatabases(Database maintenance, String prefix) {
    for (String name : column(maintenance, "SELECT datname FROM pg_database WHERE datname LIKE '" + prefix + "%'")) {
      exec(maintenance, "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    }
  }

  /**
   * Drops the databases an earlier run left ({@link #dropPostgresDatabases}) and creates the database anew.
   *
   * @param maintenance a connection to the maintenance database
   * @param name the database, also the prefix of what is dropped
   */
  public static void recreatePostgresDatabase(Database maintenance, String name) {
    dropPostgresDatabases(maintenance, name);
    exec(maintenance, "CREATE DATABASE " + name);
  }
}
