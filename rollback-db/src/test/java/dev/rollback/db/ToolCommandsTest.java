package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.exec.Command;
import dev.rollback.exec.DryRunExecutor;
import dev.rollback.exec.Secret;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact commands each engine's tools get, and where the password goes. */
class ToolCommandsTest {
  static final Secret PW = Secret.of("s3cr:et\"pw");

  @Test
  void postgresToolsNeverPromptReadNoRcFileAndStopOnTheFirstError() {
    PostgresDatabase db = PostgresDatabase.named("app").host("db1").port(6432).user("deploy");
    assertThat(db.dump(BackupFormat.PG_CUSTOM).argv()).containsExactly("pg_dump", "-h", "db1", "-p", "6432", "-U",
        "deploy", "-w", "-Fc", "-d", "app");
    assertThat(db.dump(BackupFormat.PG_SQL_GZ).argv()).containsSequence("-Fp", "-Z", "6");
    assertThat(db.restore(BackupFormat.PG_CUSTOM, "app_rb", "/b/x.dump", 2).argv()).containsSequence("-d", "app_rb",
        "--exit-on-error", "-j", "2", "/b/x.dump");
    assertThat(db.restore(BackupFormat.PG_CUSTOM, "app_rb", null, 4).argv()).contains("--single-transaction")
        .doesNotContain("-j");
    assertThat(db.restore(BackupFormat.PG_SQL_GZ, "app_rb", null, 1).argv()).containsSequence("psql", "-h")
        .contains("-X", "ON_ERROR_STOP=1", "--single-transaction");
    assertThatThrownBy(() -> db.dump(BackupFormat.MARIADB_SQL_GZ)).hasMessageContaining("PostgreSQL cannot write");
    assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:6432/app");
    assertThat(db.withName("other").describe()).startsWith("postgresql other on db1:6432 as deploy");
  }

  @Test
  void mariadbDumpsInOneTransactionOverTcp() {
    MariaDbDatabase db = MariaDbDatabase.named("shop").user("rollback");
    assertThat(db.dump(BackupFormat.MARIADB_SQL_GZ).argv()).containsExactly("mariadb-dump", "--protocol=tcp", "-h",
        "127.0.0.1", "-P", "3306", "-u", "rollback", "--single-transaction", "--quick", "shop");
    assertThat(db.clients("mysql", "mysqldump").dump(BackupFormat.MARIADB_SQL_GZ).argv().get(0))
        .isEqualTo("mysqldump");
    assertThat(db.restore(BackupFormat.MARIADB_SQL_GZ, "shop_rb", null, 1).argv()).endsWith("--batch", "shop_rb");
  }

  @Test
  void passwordGoesToTheEnvironmentNotArgv() {
    PostgresDatabase pg = PostgresDatabase.named("app").password(PW);
    Database.Prepared p = pg.prepare(DryRunExecutor.recording(), pg.dump(BackupFormat.PG_CUSTOM));
    assertThat(p.command().secretEnv()).containsEntry("PGPASSWORD", PW);
    assertThat(String.join(" ", p.command().argv())).doesNotContain(PW.reveal());
    assertThat(p.command().display()).contains("PGPASSWORD=***").doesNotContain(PW.reveal());

    MariaDbDatabase maria = MariaDbDatabase.named("shop").password(PW);
    assertThat(maria.prepare(DryRunExecutor.recording(), maria.dump(BackupFormat.MARIADB_SQL_GZ)).command()
        .secretEnv()).containsEntry("MYSQL_PWD", PW);
  }

  @Test
  void passwordFileIsWrittenMode600ThroughTheExecutorAndRemovedAfterwards() {
    DryRunExecutor ex = DryRunExecutor.recording();
    MariaDbDatabase maria = MariaDbDatabase.named("shop").password(PW).passwordDelivery(PasswordDelivery.FILE);

    Database.Prepared p = maria.prepare(ex, maria.dump(BackupFormat.MARIADB_SQL_GZ));
    p.cleanup().run();

    List<String> argv = p.command().argv();
    assertThat(argv.get(1)).startsWith("--defaults-extra-file=/tmp/.rollback-pw-");
    String file = argv.get(1).substring("--defaults-extra-file=".length());
    assertThat(p.command().secretEnv()).isEmpty();
    assertThat(ex.recorded()).hasSize(2);
    assertThat(ex.recorded().get(0)).contains("umask 077").contains(file).doesNotContain(PW.reveal());
    assertThat(ex.recorded().get(1)).contains("rm -f -- " + file);
    assertThat(maria.passwordFileContent()).isEqualTo("[client]\npassword=\"s3cr:et\\\"pw\"\n");

    PostgresDatabase pg = PostgresDatabase.named("app").user("u").password(PW)
        .passwordDelivery(PasswordDelivery.FILE);
    Command c = pg.prepare(DryRunExecutor.recording(), pg.sql("app", "SELECT 1").readOnly()).command();
    assertThat(c.env().get("PGPASSFILE")).startsWith("/tmp/.rollback-pw-");
    assertThat(c.mutating()).isFalse();
    assertThat(pg.passwordFileContent()).isEqualTo("127.0.0.1:5432:*:u:s3cr\\:et\"pw\n");
  }

  @Test
  void identifiersAndLiteralsAreQuotedForEachEngine() {
    PostgresDatabase pg = PostgresDatabase.named("app");
    MariaDbDatabase maria = MariaDbDatabase.named("shop");
    assertThat(pg.quoteIdent("a\"b")).isEqualTo("\"a\"\"b\"");
    assertThat(pg.literal("it's")).isEqualTo("'it''s'");
    assertThat(maria.quoteIdent("a`b")).isEqualTo("`a``b`");
    assertThat(maria.literal("a\\'")).isEqualTo("'a\\\\'''");
    assertThatThrownBy(() -> PostgresDatabase.named("app; DROP")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a database name");
  }
}
