package dev.rollback.db;

import dev.rollback.exec.Secret;
import dev.rollback.testing.TestEnvironment;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** The test servers from env.properties: creates and drops {@code rbdb_} databases, reads table checksums. */
final class DbFixture {
  final DbEngine engine;
  final String host;
  final int port;
  final String user;
  final Secret password;
  final String name = "rbdb_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);

  private DbFixture(DbEngine engine, TestEnvironment env, String prefix) {
    this.engine = engine;
    this.host = env.get(prefix + ".host");
    this.port = env.port(prefix + ".port");
    this.user = env.get(prefix + ".user");
    this.password = Secret.of(env.get(prefix + ".password"));
  }

  static DbFixture postgres() {
    TestEnvironment env = TestEnvironment.load()
        .requireServer("PostgreSQL", "pg.host", "pg.port", "pg.user", "pg.password");
    return new DbFixture(DbEngine.POSTGRESQL, env, "pg");
  }

  static DbFixture mariadb() {
    TestEnvironment env = TestEnvironment.load()
        .requireServer("MariaDB", "mariadb.host", "mariadb.port", "mariadb.user", "mariadb.password");
    return new DbFixture(DbEngine.MARIADB, env, "mariadb");
  }

  PostgresDatabase pg() {
    return PostgresDatabase.named(name).host(host).port(port).user(user).password(password);
  }

  MariaDbDatabase maria() {
    return MariaDbDatabase.named(name).host(host).port(port).user(user).password(password);
  }

  Database database() {
    return engine == DbEngine.POSTGRESQL ? pg() : maria();
  }

  String serverUrl(String db) {
    return engine == DbEngine.POSTGRESQL ? "jdbc:postgresql://" + host + ":" + port + "/" + db
        : "jdbc:mariadb://" + host + ":" + port + "/" + db;
  }

  Connection connect(String db) throws SQLException {
    return DriverManager.getConnection(serverUrl(db), user, password.reveal());
  }

  void exec(String db, String... sql) throws SQLException {
    try (Connection c = connect(db); Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  List<String> column(String db, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  String maintenance() {
    return engine == DbEngine.POSTGRESQL ? "postgres" : "";
  }

  /** Creates the database with a users and an orders table and some rows. */
  void createWithData(int users) throws SQLException {
    exec(maintenance(), "CREATE DATABASE " + name);
    String serial = engine == DbEngine.POSTGRESQL ? "integer PRIMARY KEY" : "INT PRIMARY KEY";
    exec(name,
        "CREATE TABLE users (id " + serial + ", name VARCHAR(100) NOT NULL, email VARCHAR(200))",
        "CREATE TABLE orders (id " + serial + ", user_id INT NOT NULL REFERENCES users(id), amount DECIMAL(10,2))");
    StringBuilder u = new StringBuilder("INSERT INTO users VALUES ");
    StringBuilder o = new StringBuilder("INSERT INTO orders VALUES ");
    for (int i = 1; i <= users; i++) {
      u.append(i == 1 ? "" : ",").append("(").append(i).append(", 'user ").append(i).append(" ''q''', 'u")
          .append(i).append("@example.com')");
      o.append(i == 1 ? "" : ",").append("(").append(i).append(", ").append(i).append(", ").append(i * 3)
          .append(".25)");
    }
    exec(name, u.toString(), o.toString());
  }

  /** The destructive migration of the tests: drop a column, delete rows. */
  void destructiveMigration() throws SQLException {
    exec(name, "ALTER TABLE users DROP COLUMN email", "DELETE FROM orders WHERE MOD(id, 2) = 0");
  }

  /** Row count and a checksum per table. */
  /** The checksums of a database before and after a destructive migration, with the backup taken between. */
  record Migrated(Map<String, String> before, Map<String, String> migrated) {}

  /**
   * Fills the database with data, takes a {@code pre-deployment} custom-format backup into the catalog, then runs
   * the destructive migration: the state a database rollback starts from.
   */
  Migrated backedUpThenMigrated(BackupCatalog catalog) throws SQLException {
    createWithData(200);
    Map<String, String> before = checksums(name);
    catalog.create(dev.rollback.RollbackContext.standalone("t"), pg(), BackupCatalog.PRE_DEPLOYMENT,
        BackupFormat.PG_CUSTOM);
    destructiveMigration();
    return new Migrated(before, checksums(name));
  }

  Map<String, String> checksums(String db) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    for (String t : List.of("users", "orders")) {
      String count = column(db, "SELECT count(*) FROM " + t).get(0);
      String sum = engine == DbEngine.POSTGRESQL
          ? column(db, "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM " + t + " t").get(0)
          : checksumTable(db, t);
      out.put(t, count + " rows, " + sum);
    }
    return out;
  }

  private String checksumTable(String db, String t) throws SQLException {
    try (Connection c = connect(db); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("CHECKSUM TABLE " + t + " EXTENDED")) {
      rs.next();
      return rs.getString(2);
    }
  }

  /** Every database (or schema) on the server whose name starts with this fixture's name. */
  List<String> databasesLikeMine() throws SQLException {
    return engine == DbEngine.POSTGRESQL
        ? column("postgres", "SELECT datname FROM pg_database WHERE datname LIKE '" + name + "%' ORDER BY 1")
        : column("", "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '" + name
            + "%' ORDER BY 1");
  }

  /** Lets clients into a database the swap kept aside (PostgreSQL disallows connections to it). */
  void allowConnections(String db) throws SQLException {
    exec("postgres", "ALTER DATABASE \"" + db + "\" WITH ALLOW_CONNECTIONS true");
  }

  /** Drops every database this fixture made. */
  void dropAll() throws SQLException {
    for (String db : databasesLikeMine()) {
      exec(maintenance(), engine == DbEngine.POSTGRESQL ? "DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)"
          : "DROP DATABASE IF EXISTS `" + db + "`");
    }
  }
}
