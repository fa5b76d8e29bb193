package dev.rollback.examples.seed002;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackReport;
import dev.rollback.drill.DrillReport;
import dev.rollback.examples.DrillTimes;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Sql;
import dev.rollback.examples.support.Web;
import dev.rollback.testing.TestEnvironment;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Seed 002's drills: rollback-image.sh, and the automatic rollback (DB restore + blue-green + verification). */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Seed002DrillIT {
  static Seed002App app;

  @BeforeAll
  static void start() {
    TestEnvironment.load().requireServer("Docker, PostgreSQL, nginx and Prometheus", null, null, "docker.host",
        "docker.busybox_image", "pg.url", "pg.password", "nginx.binary", "prometheus.url", "prometheus.scrape_port");
    app = Seed002App.start(SeedEnv.load());
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  @Order(1)
  void imageRollbackReplacesTheBadContainerWithThePreviousImage() {
    app.runImageAppOnBadRelease();

    RollbackReport r = app.imagePlan().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(Web.body("http://127.0.0.1:" + Seed002App.IMAGE_PORT + "/")).contains("release-1");
    assertThat(app.docker().container(Seed002App.IMAGE_APP).getConfig().getEnv()).contains("APP_ENV=production");
    DrillTimes.record("002", "image rollback run (decision to verified)", r.duration());
  }

  @Test
  @Order(2)
  void threeFailedHealthChecksRollBackDatabaseAndTrafficAndTheVerificationScriptPasses() throws Exception {
    app.deployBadRelease();
    String preview = app.automaticPlan().preview().toString();
    assertThat(preview).contains("DATA WILL BE LOST SINCE").contains(".sql.gz");
    assertThat(Sql.column(app.db(), "SELECT count(*) FROM users")).containsExactly("1");

    DrillReport d = app.drill(false).run();

    assertThat(d.passed()).as(d.toText()).isTrue();
    assertThat(d.rollbackOutcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(d.watchdog().observations()).filteredOn(o -> !o.healthy()).hasSize(Seed002App.FAILURES_TO_TRIGGER);
    assertThat(Sql.column(app.db(), "SELECT name FROM users ORDER BY id")).containsExactly("ann", "bob", "cy");
    assertThat(Web.body(app.nginx().url("/"))).contains("release-1");
    assertThat(Files.readString(app.nginx().upstreamFile)).contains("127.0.0.1:" + Seed002App.GREEN_PORT);
    assertThat(app.docker().container(Seed002App.BLUE).getState().getRunning()).isFalse();
    assertThat(app.catalog().list()).anyMatch(b -> b.name().startsWith("pre-rollback-"));
    DrillTimes.record("002", "detection (3 failed checks at 200 ms)", d.detectionTime());
    DrillTimes.record("002", "time to recover, automatic (first failed probe to verified)", d.timeToRecover());
    DrillTimes.record("002", "rollback run (restore + blue-green + verification script)", d.rollback().duration());
  }
}
