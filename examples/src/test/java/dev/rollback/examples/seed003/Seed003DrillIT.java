package dev.rollback.examples.seed003;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.Preview;
import dev.rollback.drill.DrillReport;
import dev.rollback.drill.RollbackDrill;
import dev.rollback.examples.DrillTimes;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Sql;
import dev.rollback.examples.support.Web;
import dev.rollback.testing.TestEnvironment;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import org.junit.jupiter.api.Test;

/** Seed 003's drill over SSH: downgrade, last good commit, rebuild; then main again after the fix. */
class Seed003DrillIT {

  @Test
  void badCommitRollsBackWithItsMigrationOverSshAndMainServesTheFixLater() {
    TestEnvironment.load().requireServer("OpenSSH, Docker and PostgreSQL", "ssh.host", "ssh.port", "ssh.user",
        "ssh.key", "ssh.known_hosts", "docker.busybox_image", "pg.url", "pg.password");
    try (Seed003App app = Seed003App.start(SeedEnv.load())) {
      app.deployBadCommit();
      String badHead = app.working().head();
      assertThat(Sql.column(app.db(), "SELECT version_num FROM alembic_version")).containsExactly("b2");

      Preview preview = app.plan().preview();
      assertThat(preview.toString()).contains("ALTER TABLE users DROP COLUMN status").contains("downgrade -1")
          .contains(app.lastGood());
      assertThat(app.working().head()).isEqualTo(badHead);

      DrillReport d = RollbackDrill.named("seed003").breakWith(() -> { }).recoverWith(app.plan())
          .verify(VerificationChain.of(app.health().bodyContains("ok v1")).retry(Retry.once())).build().run();

      assertThat(d.passed()).as(d.toText()).isTrue();
      assertThat(d.rollbackOutcome()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(app.working().head()).isEqualTo(app.lastGood());
      assertThat(Sql.column(app.db(), "SELECT version_num FROM alembic_version")).containsExactly("a1");
      assertThat(Sql.column(app.db(), "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"
          + " ORDER BY ordinal_position")).containsExactly("id", "name");
      assertThat(Sql.column(app.db(), "SELECT name FROM users ORDER BY id")).containsExactly("ann", "bob");
      DrillTimes.record("003", "rollback run (downgrade + checkout + build --no-cache + up, verified)",
          d.rollback().duration());

      app.pushFix();
      app.returnToMain();

      assertThat(app.working().branch()).contains("main");
      assertThat(Web.body("http://127.0.0.1:" + Seed003App.PORT + "/health")).contains("ok v3");
      assertThat(Sql.column(app.db(), "SELECT version_num FROM alembic_version")).containsExactly("b2");
    }
  }
}
