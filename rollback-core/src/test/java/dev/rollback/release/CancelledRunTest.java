package dev.rollback.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.RunningRollback;
import dev.rollback.journal.Journal;
import dev.rollback.journal.JournalEntry;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run cancelled during verification (its handle, or its thread interrupted as a CLI does on Ctrl-C) stops waiting,
 * puts {@code current} back without being interruptible itself, writes the journal's end, and reports CANCELLED with
 * the true outcome. Before this, 3 runs of 3 reported RESTORE_FAILED with current already back, and the journal lost
 * its end line ("journal unwritable: ...: null").
 */
class CancelledRunTest {
  @TempDir
  Path tmp;
  Path root;
  ReleaseDirectory dir;
  final CountDownLatch verifying = new CountDownLatch(1);

  @BeforeEach
  void releases() throws Exception {
    root = tmp.resolve("app");
    dir = ReleaseDirectory.at(root);
    for (String id : List.of("20240115-100000", "20240116-104500")) {
      dir.deploy(ReleaseSpec.withId(id).file("version", id));
    }
    dir.activate("20240116-104500");
  }

  /** A check that never passes and says when it first ran: the verification is waiting on it. */
  Check neverHealthy() {
    return new Check() {
      @Override
      public String describe() {
        return "the app is healthy";
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        verifying.countDown();
        return CheckResult.fail("503");
      }
    };
  }

  RollbackPlan plan() {
    return RollbackPlan.builder("api").lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl")))
        .step(SymlinkRollback.of(dir).toPrevious())
        .verify(VerificationChain.of(neverHealthy()).retry(Retry.every(Duration.ofMillis(50))
            .deadline(Duration.ofMinutes(5))))
        .verifyAfterRestore(VerificationChain.none())
        .build();
  }

  void assertRestoredAndJournalled(RollbackReport r) throws Exception {
    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(r.cancelled()).isTrue();
    assertThat(r.failure()).startsWith("cancelled: verification failed");
    assertThat(r.toText()).startsWith("rollback of api: RESTORED (CANCELLED)");
    assertThat(r.actionsRequired()).isEmpty();
    assertThat(Files.readString(root.resolve("current/version"))).isEqualTo("20240116-104500");
    List<JournalEntry> j = Journal.jsonLines(tmp.resolve("journal.jsonl")).entries("api");
    assertThat(j).extracting(JournalEntry::event).containsExactly(JournalEntry.STARTED, JournalEntry.FINISHED);
    assertThat(j.get(1).outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(r.timeline()).noneMatch(e -> e.message().contains("journal unwritable"));
  }

  @Test
  void cancellingThroughTheHandleDuringVerificationRestoresAndWritesTheJournalsEnd() throws Exception {
    RunningRollback run = plan().start();
    assertThat(verifying.await(30, TimeUnit.SECONDS)).isTrue();

    run.cancel();
    RollbackReport r = run.await(Duration.ofSeconds(30)).orElseThrow();

    assertRestoredAndJournalled(r);
  }

  @Test
  void interruptingTheThreadThatCalledRunIsACancelAndTheInterruptIsKept() throws Exception {
    CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
    CompletableFuture<RollbackReport> report = new CompletableFuture<>();
    Thread caller = new Thread(() -> {
      try {
        report.complete(plan().run());
        stillInterrupted.complete(Thread.currentThread().isInterrupted());
      } catch (Throwable t) {
        report.completeExceptionally(t);
      }
    });
    caller.start();
    assertThat(verifying.await(30, TimeUnit.SECONDS)).isTrue();

    caller.interrupt();
    RollbackReport r = report.get(30, TimeUnit.SECONDS);

    assertRestoredAndJournalled(r);
    assertThat(stillInterrupted.get(5, TimeUnit.SECONDS)).as("the caller still sees its interrupt").isTrue();
  }
}
