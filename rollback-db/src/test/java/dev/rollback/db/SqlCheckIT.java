package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.RollbackContext;
import dev.rollback.exec.Secret;
import dev.rollback.verify.CheckResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SqlCheck's expectations against the real servers. */
class SqlCheckIT {
  DbFixture fx;
  final RollbackContext ctx = RollbackContext.standalone("t");

  @AfterEach
  void drop() throws Exception {
    if (fx != null) {
      fx.dropAll();
    }
  }

  @Test
  void expectationsOnPostgres() throws Exception {
    fx = DbFixture.postgres();
    fx.createWithData(20);
    PostgresDatabase db = fx.pg();

    assertThat(SqlCheck.on(db, "SELECT count(*) FROM users").expectValueAtLeast(20).check(ctx).passed()).isTrue();
    CheckResult few = SqlCheck.on(db, "SELECT count(*) FROM users").expectValueAtLeast(21).check(ctx);
    assertThat(few.passed()).isFalse();
    assertThat(few.detail()).contains("first value '20'").contains("value >= 21");
    assertThat(SqlCheck.on(db, "SELECT id FROM users WHERE id <= 5").expectRowCount(5).check(ctx).passed()).isTrue();
    assertThat(SqlCheck.on(db, "SELECT id FROM users WHERE email IS NULL").expectNoRows().check(ctx).passed())
        .isTrue();
    assertThat(SqlCheck.on(db, "SELECT name FROM users WHERE id = 3").expectValue("user 3 'q'").check(ctx).passed())
        .isTrue();
    assertThat(SqlCheck.on(db, "SELECT nope FROM users").check(ctx).detail()).startsWith("query failed")
        .contains("nope");
  }

  @Test
  void expectationsOnMariaDbAndAWrongPasswordNeverShown() throws Exception {
    fx = DbFixture.mariadb();
    fx.createWithData(3);
    assertThat(SqlCheck.on(fx.maria(), "SELECT * FROM orders").expectAtLeastRows(3).check(ctx).passed()).isTrue();

    Secret wrong = Secret.of("not-the-password-xyz");
    CheckResult r = SqlCheck.query(fx.maria().jdbcUrl(), fx.user, wrong, "SELECT 1").check(ctx);
    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("query failed").doesNotContain(wrong.reveal());
  }
}
