package dev.rollback.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.drill.DrillReport;
import dev.rollback.journal.JournalEntry;
import org.junit.jupiter.api.Test;

/** A rollback drill as a platform team would keep one in its own test suite. */
class QuickstartDrillTest {

  @Test
  void aBrokenReleaseIsDetectedRolledBackAndVerified() throws Exception {
    try (QuickstartApp app = QuickstartApp.start()) {
      DrillReport r = app.drill().run();

      assertThat(r.passed()).as(r.toText()).isTrue();
      assertThat(r.rollbackOutcome()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(app.releases().currentId()).contains(app.ids[1]);
      assertThat(r.watchdog().observations()).filteredOn(o -> !o.healthy()).hasSize(3);
      assertThat(r.timeToRecover()).isNotNull().isPositive();
      assertThat(app.journal().entries("quickstart")).extracting(JournalEntry::event)
          .containsExactly(JournalEntry.STARTED, JournalEntry.FINISHED);
    }
  }
}
