package dev.rollback.examples.seed000;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackReport;
import dev.rollback.drill.DrillReport;
import dev.rollback.examples.DrillTimes;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Web;
import dev.rollback.journal.JournalEntry;
import dev.rollback.testing.TestEnvironment;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Seed 000's drill: a broken Gokku release rolled back to the previous one, then to a given id. */
class Seed000DrillIT {

  @Test
  void brokenReleaseRollsBackToPreviousThenToAGivenIdKeepingFiveAndTheSharedEnv() throws Exception {
    TestEnvironment.load().requireServer("Docker", null, null, "docker.host", "docker.busybox_image");
    try (Seed000App app = Seed000App.start(SeedEnv.load())) {
      DrillReport drill = app.drillToPrevious(true).run();

      assertThat(drill.passed()).as(drill.toText()).isTrue();
      assertThat(drill.rollbackOutcome()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(app.releases().currentId()).contains(app.ids.get(4));
      assertThat(Web.body("http://127.0.0.1:" + Seed000App.PORT + "/")).contains("1.4.0");
      // keep 5: the first release and its image went at the sixth deploy; the rollback target never does
      assertThat(app.removedByRetention()).containsExactly(app.ids.get(0));
      assertThat(app.releases().ids()).hasSize(5).doesNotContain(app.ids.get(0));
      assertThat(app.images().ids()).doesNotContain(app.ids.get(0)).contains(app.ids.get(4));
      assertThat(Files.readString(app.root().resolve("current/.env"))).contains("hello-from-shared-env");
      assertThat(app.docker().container(Seed000App.CONTAINER).getConfig().getEnv())
          .contains("API_GREETING=hello-from-shared-env");

      RollbackReport byId = app.plan(app.ids.get(2)).run();

      assertThat(byId.outcome()).as(byId.toText()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(app.releases().currentId()).contains(app.ids.get(2));
      assertThat(Web.body("http://127.0.0.1:" + Seed000App.PORT + "/")).contains("1.2.0");
      assertThat(app.journal().entries("api-production")).extracting(JournalEntry::event)
          .containsExactly(JournalEntry.STARTED, JournalEntry.FINISHED, JournalEntry.STARTED, JournalEntry.FINISHED);
      DrillTimes.record("000", "time to recover, broken release to previous (first failed probe to verified)",
          drill.timeToRecover());
      DrillTimes.record("000", "rollback run, to previous", drill.rollback().duration());
      DrillTimes.record("000", "rollback run, to a given id", byId.duration());
    }
  }
}
