package dev.rollback.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.ChildJvm;
import dev.rollback.testing.Strategies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesJournalTest {
  @TempDir
  Path tmp;

  @Test
  void theNextRunReportsARollbackWhoseProcessDiedMidwayAndOnlyOnce() throws Exception {
    Path journalFile = tmp.resolve("journal.jsonl");
    Path locks = tmp.resolve("locks");
    long childPid;
    try (ChildJvm child = ChildJvm.start(List.of(), CrashMain.class, journalFile.toString(), locks.toString(),
        "api")) {
      childPid = Long.parseLong(child.awaitLine("DYING", Duration.ofSeconds(30)).split(" ")[1]);
      assertThat(child.waitFor(Duration.ofSeconds(30))).isEqualTo(9);
    }
    Journal journal = Journal.jsonLines(journalFile);
    assertThat(journal.interrupted("api")).singleElement().satisfies(e -> assertThat(e.pid()).isEqualTo(childPid));

    RollbackPlan plan = RollbackPlan.builder("api").journal(journal).lock(TargetLock.inDirectory(locks))
        .step(Strategies.noop()).build();
    RollbackReport next = plan.run();

    assertThat(next.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(next.interruptedRuns()).singleElement().satisfies(e -> {
      assertThat(e.pid()).isEqualTo(childPid);
      assertThat(e.event()).isEqualTo(JournalEntry.STARTED);
    });
    assertThat(next.toText()).contains("never finished");
    assertThat(journal.interrupted("api")).isEmpty();
    assertThat(plan.run().interruptedRuns()).isEmpty();
  }

  @Test
  void aTornLastLineIsSkippedAndTargetsAreKeptApart() throws Exception {
    Path f = tmp.resolve("j.jsonl");
    JsonLinesJournal j = JsonLinesJournal.at(f);
    j.append(new JournalEntry("r1", "api", JournalEntry.STARTED, Instant.now(), "h", 1, null, "one step"));
    j.append(new JournalEntry("r2", "db", JournalEntry.STARTED, Instant.now(), "h", 1, null, "one step"));
    j.append(new JournalEntry("r1", "api", JournalEntry.FINISHED, Instant.now(), "h", 1, Outcome.ROLLED_BACK, "ok"));
    Files.writeString(f, "{\"runId\":\"r3\",\"target\":\"api\",\"ev", StandardOpenOption.APPEND);

    assertThat(j.entries("api")).extracting(JournalEntry::runId).containsExactly("r1", "r1");
    assertThat(j.interrupted("api")).isEmpty();
    assertThat(j.interrupted("db")).extracting(JournalEntry::runId).containsExactly("r2");
    assertThat(JsonLinesJournal.at(tmp.resolve("absent.jsonl")).entries("api")).isEmpty();
  }

  @Test
  void targetsWithQuotesAndNonAsciiNamesAreFoundAndNotConfusedWithDetails() {
    JsonLinesJournal j = JsonLinesJournal.at(tmp.resolve("q.jsonl"));
    String odd = "api \"blue\" ü\\1";
    j.append(new JournalEntry("r1", odd, JournalEntry.STARTED, Instant.now(), "h", 1, null, "one step"));
    j.append(new JournalEntry("r2", "db", JournalEntry.STARTED, Instant.now(), "h", 1, null, "after " + odd));

    assertThat(j.entries(odd)).extracting(JournalEntry::runId).containsExactly("r1");
    assertThat(j.interrupted(odd)).extracting(JournalEntry::runId).containsExactly("r1");
    assertThat(j.entries("api")).isEmpty();
    assertThat(j.entries(null)).hasSize(2);
  }
}
