package dev.rollback.db;

import dev.rollback.RollbackContext;
import dev.rollback.exec.Secret;
import dev.rollback.exec.SecretMasker;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * A JDBC query and what it must return: seed 004's "spot-check recent records" as a {@link Check}.
 *
 * <pre>{@code
 * SqlCheck.on(db, "SELECT count(*) FROM orders WHERE created > now() - interval '1 day'").expectValueAtLeast(1)
 * SqlCheck.on(db, "SELECT id FROM users WHERE email IS NULL").expectNoRows()
 * }</pre>
 *
 * <p>Each attempt opens a connection, runs the query and closes it. The password goes to the driver from a
 * {@link Secret}, never into the URL, and never appears in a detail. Defaults: expect at least one row; timeout
 * 5 s for connecting and for the query. Immutable.
 */
public final class SqlCheck implements Check {
  private enum Kind { ROWS_AT_LEAST, ROW_COUNT, NO_ROWS, VALUE, VALUE_AT_LEAST }

  private final String url;
  private final String user;
  private final Secret password;
  private final String sql;
  private final Kind kind;
  private final String expected;
  private final Duration timeout;

  private SqlCheck(String url, String user, Secret password, String sql, Kind kind, String expected,
      Duration timeout) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.sql = sql;
    this.kind = kind;
    this.expected = expected;
    this.timeout = timeout;
  }

  /**
   * A query against a database, with its URL, user and password.
   *
   * @param database the database
   * @param sql the query
   * @return the check; expects at least one row until told otherwise
   */
  public static SqlCheck on(Database database, String sql) {
    return query(database.jdbcUrl(), database.user(), database.password(), sql);
  }

  /**
   * A query against any JDBC URL (the PostgreSQL and MariaDB drivers are on the classpath).
   *
   * @param jdbcUrl e.g. {@code jdbc:postgresql://127.0.0.1:5432/app}, without a password
   * @param user the user
   * @param password the password, or null
   * @param sql the query
   * @return the check; expects at least one row until told otherwise
   */
  public static SqlCheck query(String jdbcUrl, String user, Secret password, String sql) {
    return new SqlCheck(Objects.requireNonNull(jdbcUrl, "jdbcUrl"), Objects.requireNonNull(user, "user"), password,
        Objects.requireNonNull(sql, "sql"), Kind.ROWS_AT_LEAST, "1", Duration.ofSeconds(5));
  }

  private SqlCheck expect(Kind k, String value) {
    return new SqlCheck(url, user, password, sql, k, value, timeout);
  }

  /**
   * @param rows the exact number of rows the query must return
   * @return a copy
   */
  public SqlCheck expectRowCount(long rows) {
    return expect(Kind.ROW_COUNT, Long.toString(rows));
  }

  /**
   * @param rows the least number of rows the query must return
   * @return a copy
   */
  public SqlCheck expectAtLeastRows(long rows) {
    return expect(Kind.ROWS_AT_LEAST, Long.toString(rows));
  }

  /** @return a copy expecting no rows (e.g. orphans, NULLs where none may be) */
  public SqlCheck expectNoRows() {
    return expect(Kind.NO_ROWS, "0");
  }

  /**
   * @param value what the first column of the first row must read as text
   * @return a copy
   */
  public SqlCheck expectValue(String value) {
    return expect(Kind.VALUE, Objects.requireNonNull(value, "value"));
  }

  /**
   * @param min the least number the first column of the first row may be (e.g. a {@code count(*)})
   * @return a copy
   */
  public SqlCheck expectValueAtLeast(long min) {
    return expect(Kind.VALUE_AT_LEAST, Long.toString(min));
  }

  /**
   * @param timeout for connecting and for the query; default 5 s
   * @return a copy
   */
  public SqlCheck timeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return new SqlCheck(url, user, password, sql, kind, expected, timeout);
  }

  @Override
  public String describe() {
    String what = switch (kind) {
      case ROWS_AT_LEAST -> "at least " + expected + " row(s)";
      case ROW_COUNT -> "exactly " + expected + " row(s)";
      case NO_ROWS -> "no rows";
      case VALUE -> "value '" + expected + "'";
      case VALUE_AT_LEAST -> "value >= " + expected;
    };
    String shownUrl = SecretMasker.defaults().withSecret("password", password).withEnv("url", url).mask(url);
    return "SQL " + shownUrl + " as " + user + ": " + sql + " expects " + what;
  }

  @Override
  public CheckResult check(RollbackContext ctx) {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password.reveal());
    }
    int secs = (int) Math.max(1, timeout.toSeconds());
    p.setProperty("connectTimeout", url.startsWith("jdbc:mariadb") ? String.valueOf(secs * 1000L)
        : String.valueOf(secs));
    try (Connection conn = DriverManager.getConnection(url, p); Statement st = conn.createStatement()) {
      st.setQueryTimeout(secs);
      try (ResultSet rs = st.executeQuery(sql)) {
        long rows = 0;
        String first = null;
        while (rs.next()) {
          if (rows == 0) {
            first = rs.getString(1);
          }
          rows++;
        }
        return judge(rows, first);
      }
    } catch (SQLException e) {
      String m = e.getMessage();
      return CheckResult.fail("query failed: " + SecretMasker.defaults().withSecret("password", password).mask(m));
    }
  }

  private CheckResult judge(long rows, String first) {
    String seen = rows + " row(s)" + (rows > 0 ? ", first value '" + first + "'" : "");
    boolean ok = switch (kind) {
      case ROWS_AT_LEAST -> rows >= Long.parseLong(expected);
      case ROW_COUNT -> rows == Long.parseLong(expected);
      case NO_ROWS -> rows == 0;
      case VALUE -> rows > 0 && expected.equals(first);
      case VALUE_AT_LEAST -> rows > 0 && first != null && isAtLeast(first);
    };
    return ok ? CheckResult.pass(seen) : CheckResult.fail(seen + "; expected " + describe().replaceFirst(".* expects ",
        ""));
  }

  private boolean isAtLeast(String value) {
    try {
      return new java.math.BigDecimal(value.strip()).compareTo(new java.math.BigDecimal(expected)) >= 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
