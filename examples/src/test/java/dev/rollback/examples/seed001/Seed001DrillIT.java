package dev.rollback.examples.seed001;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackReport;
import dev.rollback.drill.DrillReport;
import dev.rollback.drill.RollbackDrill;
import dev.rollback.examples.DrillTimes;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Sql;
import dev.rollback.examples.support.Web;
import dev.rollback.testing.TestEnvironment;
import org.junit.jupiter.api.Test;

/** Seed 001's drills: the database rollback, then the full rollback of code and database. */
class Seed001DrillIT {

  @Test
  void databaseRollbackThenFullRollbackBringTheOrdersAndTheOldReleaseBack() {
    TestEnvironment.load().requireServer("Docker and PostgreSQL", null, null, "docker.host", "docker.busybox_image",
        "pg.url", "pg.password");
    try (Seed001App app = Seed001App.start(SeedEnv.load())) {
      String deployDump = app.catalog().latest().name();
      assertThat(deployDump).startsWith("pre-deployment-").endsWith(".dump");
      app.breakDatabase();
      assertThat(app.databasePlan().preview().toString()).contains(deployDump).contains("DATA WILL BE LOST SINCE")
          .contains("docker stop -t 5 " + Seed001App.APP);

      RollbackReport db = app.databasePlan().run();

      assertThat(db.outcome()).as(db.toText()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(Sql.column(app.db(), "SELECT total FROM orders ORDER BY id"))
          .containsExactly("10.50", "20.00", "7.25");
      assertThat(app.catalog().list()).anyMatch(b -> b.name().startsWith("pre-rollback-"));
      assertThat(app.docker().container(Seed001App.APP).getState().getRunning()).isTrue();
      DrillTimes.record("001", "database rollback run (safety backup, restore, swap, health check)", db.duration());

      DrillReport full = RollbackDrill.named("seed001-full").breakWith(app::deployBadRelease)
          .recoverWith(app.fullPlan()).verify(app.healthCheck()).build().run();

      assertThat(full.passed()).as(full.toText()).isTrue();
      assertThat(full.rollbackOutcome()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(full.rollback().steps().get(0).actions()).anyMatch(a -> a.contains(deployDump));
      assertThat(Sql.column(app.db(), "SELECT count(*) FROM orders")).containsExactly("3");
      assertThat(Web.body("http://127.0.0.1:" + Seed001App.PORT + "/")).contains("release-1");
      DrillTimes.record("001", "full rollback run (database + previous image, verified)", full.rollback().duration());
    }
  }
}
