package dev.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.exec.SecretMasker;
import dev.rollback.journal.Journal;
import dev.rollback.journal.JournalEntry;
import dev.rollback.lock.LockHandle;
import dev.rollback.lock.LockHolder;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackPlanTest {
  @TempDir
  Path tmp;

  final Map<String, String> world = Collections.synchronizedMap(new HashMap<>());
  final List<String> log = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void world() {
    world.put("app", "v3");
    world.put("db", "schema-3");
    world.put("config", "c3");
  }

  RollbackPlan.Builder plan() {
    return RollbackPlan.builder("api")
        .lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl")));
  }

  FakeStrategy step(String name, String key, String to) {
    return new FakeStrategy(name, world, key, to, log);
  }

  /** Passes when the world's app is at the given version. */
  Check appIs(String version) {
    return new Check() {
      @Override
      public String describe() {
        return "app is " + version;
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        String v = world.get("app");
        return v.equals(version) ? CheckResult.pass("app " + v) : CheckResult.fail("app " + v);
      }
    };
  }

  static VerificationChain quick(Check... checks) {
    return VerificationChain.of(checks).retry(Retry.every(Duration.ofMillis(5)).attempts(3));
  }

  @Test
  void rolledBackWhenEveryStepRunsAndTheChecksPass() {
    RollbackReport r = plan().step(step("a", "app", "v2")).step(step("b", "db", "schema-2"))
        .verify(quick(appIs("v2"))).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(world).containsEntry("app", "v2").containsEntry("db", "schema-2");
    assertThat(log).containsExactly("a.preflight", "b.preflight", "a.checkpoint", "a.rollback", "b.checkpoint",
        "b.rollback", "b.finish", "a.finish");
    assertThat(r.steps()).extracting(StepReport::state).containsExactly(StepState.ROLLED_BACK,
        StepState.ROLLED_BACK);
    assertThat(r.verified()).isTrue();
    assertThat(r.toText()).startsWith("rollback of api: ROLLED_BACK in ");
    assertThat(r.steps().get(0).checkpoint()).isEqualTo("app was v3");
    assertThat(r.steps().get(0).actions()).containsExactly("set app to v2");
    assertThat(r.verifications()).hasSize(1);
    assertThat(r.verifications().get(0).passed()).isTrue();
    assertThat(r.verifications().get(0).when()).isEqualTo(VerificationRun.AFTER_ROLLBACK);
    assertThat(r.failure()).isNull();
    assertThat(r.actionsRequired()).isEmpty();
  }

  @Test
  void keepsEveryStepsRestoreMaterialUntilTheVerificationPassedAndNeverDropsItAfterAFailure() {
    RollbackReport r = plan().step(step("a", "app", "v2")).step(step("b", "db", "schema-2"))
        .verify(quick(appIs("v9"))).verifyAfterRestore(quick(appIs("v3"))).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(r.verified()).as("the after-restore chain passed").isTrue();
    assertThat(log).doesNotContain("a.finish", "b.finish");
    assertThat(log.indexOf("a.restore")).isGreaterThan(log.indexOf("b.restore"));
  }

  @Test
  void aFinishThatFailsLeavesTheRunRolledBackAndTellsAPersonWhatIsLeft() {
    RollbackReport r = plan().step(step("a", "app", "v2")).step(step("b", "db", "schema-2").failingIn("finish"))
        .verify(quick(appIs("v2"))).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(world).containsEntry("app", "v2").containsEntry("db", "schema-2");
    assertThat(log).contains("b.finish", "a.finish").doesNotContain("a.restore", "b.restore");
    assertThat(r.actionsRequired()).singleElement().asString()
        .contains("step 2", "b broke in finish", "Remove it by hand");
  }

  @Test
  void anUndoableRunKeepsItsRestoreMaterialUntilItIsFinishedAndCannotBeUndoneAfter() {
    CompletedRun run = plan().step(step("a", "app", "v2")).step(step("b", "db", "schema-2"))
        .verify(quick(appIs("v2"))).build().runUndoable();

    assertThat(run.report().outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(log).doesNotContain("a.finish", "b.finish");
    RollbackReport finished = run.finish();
    assertThat(finished.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(log).endsWith("b.finish", "a.finish");
    assertThat(run.undoable()).isFalse();
    assertThatThrownBy(run::undo).isInstanceOf(IllegalStateException.class).hasMessageContaining("finished");
    assertThat(run.finish()).isNull();
  }

  @Test
  void aRestoreThatSaysWhereThingsStandIsQuotedWordForWordInsteadOfAGenericInstruction() {
    RollbackStrategy honest = new RollbackStrategy() {
      @Override
      public String describe() {
        return "swap db";
      }

      @Override
      public Checkpoint checkpoint(RollbackContext ctx) {
        return Checkpoint.of("db was app");
      }

      @Override
      public void rollback(RollbackContext ctx) {}

      @Override
      public void restore(RollbackContext ctx, Checkpoint checkpoint) {
        throw new RestoreIncompleteException("the original database app was never touched",
            "drop the unfinished copy app_rb_20261204", new RollbackException("connection refused"));
      }
    };

    RollbackReport r = plan().step(honest).step(step("b", "db", "schema-2").failingIn("rollback")).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.actionsRequired()).containsExactly("step 1 (swap db): the original database app was never touched."
        + " Do: drop the unfinished copy app_rb_20261204 (the restore stopped on: connection refused)");
  }

  @Test
  void anUndoneRunIsNeverFinished() {
    CompletedRun run = plan().step(step("a", "app", "v2")).verify(quick(appIs("v2"))).build().runUndoable();

    assertThat(run.undo().outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(run.finish()).isNull();
    assertThat(log).doesNotContain("a.finish");
    assertThat(world).containsEntry("app", "v3");
  }

  @Test
  void aPlanWithoutChecksIsReportedUnverifiedInTextAndJson() {
    RollbackReport r = plan().step(step("a", "app", "v2")).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.verified()).isFalse();
    assertThat(r.toText()).startsWith("rollback of api: ROLLED_BACK, unverified in ")
        .contains("verification after rollback: UNVERIFIED (no checks configured)")
        .doesNotContain("passed");
    assertThat(r.toJson()).contains("\"verified\" : false");
    assertThat(RollbackReport.fromJson(r.toJson()).verified()).isFalse();
  }

  @Test
  void aVerifiedRunSaysSoInItsJson() {
    RollbackReport r = plan().step(step("a", "app", "v2")).verify(quick(appIs("v2"))).build().run();

    assertThat(r.toJson()).contains("\"verified\" : true");
    assertThat(RollbackReport.fromJson(r.toJson())).isEqualTo(r);
  }

  @Test
  void restoresTheStepsAlreadyDoneInReverseOrderWhenAStepFails() {
    RollbackReport r = plan().step(step("a", "app", "v2")).step(step("b", "db", "schema-2").failingIn("rollback"))
        .step(step("c", "config", "c2")).verify(quick(appIs("v3"))).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(log).containsExactly("a.preflight", "b.preflight", "c.preflight", "a.checkpoint", "a.rollback",
        "b.checkpoint", "b.rollback", "b.restore", "a.restore");
    assertThat(world).containsEntry("app", "v3").containsEntry("db", "schema-3").containsEntry("config", "c3");
    assertThat(r.steps()).extracting(StepReport::state).containsExactly(StepState.RESTORED, StepState.RESTORED,
        StepState.PENDING);
    assertThat(r.failure()).contains("step 2").contains("b broke in rollback");
    assertThat(r.steps().get(1).error()).isEqualTo("b broke in rollback");
    // verified once, after the restore (the failed step meant no forward verification)
    assertThat(r.verifications()).hasSize(1);
    assertThat(r.verifications().get(0).when()).isEqualTo(VerificationRun.AFTER_RESTORE);
    assertThat(r.verifications().get(0).passed()).isTrue();
  }

  @Test
  void restoresEverythingAndVerifiesAgainWhenTheVerificationFails() {
    Check newVersionHealthy = new Check() {
      @Override
      public String describe() {
        return "v2 healthy";
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        // v2 is broken too; the original v3 at least answers
        return world.get("app").equals("v3") ? CheckResult.pass("v3 answers") : CheckResult.fail("v2 answers 500");
      }
    };
    RollbackReport r = plan().step(step("a", "app", "v2")).step(step("b", "db", "schema-2"))
        .verify(quick(newVersionHealthy)).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(log).endsWith("b.rollback", "b.restore", "a.restore");
    assertThat(world).containsEntry("app", "v3").containsEntry("db", "schema-3");
    assertThat(r.verifications()).extracting(v -> v.passed()).containsExactly(false, true);
    assertThat(r.verifications().get(0).result().checks().get(0).attempts()).hasSize(3);
    assertThat(r.failure()).startsWith("verification failed").contains("v2 answers 500");
  }

  @Test
  void failedAndNamesTheStepWhenARestoreFails() {
    RollbackReport r = plan().step(step("a", "app", "v2").failingIn("restore"))
        .step(step("b", "db", "schema-2").failingIn("rollback")).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.steps()).extracting(StepReport::state).containsExactly(StepState.RESTORE_FAILED,
        StepState.RESTORED);
    assertThat(world).containsEntry("app", "v2").containsEntry("db", "schema-3");
    assertThat(r.actionsRequired()).anySatisfy(a -> assertThat(a).contains("step 1").contains("app was v3")
        .contains("Look at the target's state before you act"));
    assertThat(r.toText()).contains("FAILED").contains("a person must").contains("app was v3");
  }

  @Test
  void failedWhenTheRestoredOriginalDoesNotPassVerificationEither() {
    RollbackReport r = plan().step(step("a", "app", "v2")).verify(quick(appIs("v9"))).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(world).containsEntry("app", "v3");
    assertThat(r.steps().get(0).state()).isEqualTo(StepState.RESTORED);
    assertThat(r.actionsRequired()).anySatisfy(a -> assertThat(a).contains("original state is back"));
  }

  @Test
  void afterRestoreChainCanBeSkipped() {
    RollbackReport r = plan().step(step("a", "app", "v2")).verify(quick(appIs("v9")))
        .verifyAfterRestore(VerificationChain.none()).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(r.verifications()).hasSize(1);
  }

  @Test
  void leavePolicyRestoresNothingAndSaysWhatEachStepHolds() {
    RollbackReport r = plan().step(step("a", "app", "v2")).step(step("b", "db", "schema-2"))
        .verify(quick(appIs("v9"))).onFailure(FailurePolicy.LEAVE).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(log).noneMatch(l -> l.endsWith(".restore"));
    assertThat(world).containsEntry("app", "v2").containsEntry("db", "schema-2");
    assertThat(r.actionsRequired()).anySatisfy(a -> assertThat(a).contains("LEAVE"))
        .anySatisfy(a -> assertThat(a).contains("step 1").contains("ROLLED_BACK").contains("app was v3"));
  }

  @Test
  void refusedByAPreflightBeforeAnyStepChangesAnything() {
    RollbackReport r = plan().step(step("a", "app", "v2")).step(step("b", "db", "schema-2").failingIn("preflight"))
        .build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(log).containsExactly("a.preflight", "b.preflight");
    assertThat(world).containsEntry("app", "v3");
    assertThat(r.failure()).contains("step 2").contains("refused").contains("b broke in preflight");
  }

  @Test
  void aFirstCheckpointThatFailsChangesNothingAndIsReportedRestored() {
    RollbackReport r = plan().step(step("a", "app", "v2").failingIn("checkpoint")).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(log).doesNotContain("a.rollback", "a.restore");
    assertThat(r.steps().get(0).state()).isEqualTo(StepState.CHECKPOINT_FAILED);
  }

  @Test
  void previewRunsNoMutatingCommandAndListsTheExactCommands() throws Exception {
    Path marker = tmp.resolve("marker");
    Path state = Files.writeString(tmp.resolve("state"), "release-7");
    RollbackStrategy s = new RollbackStrategy() {
      @Override
      public String describe() {
        return "touch a marker";
      }

      @Override
      public Checkpoint checkpoint(RollbackContext ctx) {
        String current = ctx.executor(LocalExecutor.create())
            .run(Command.of("cat", state.toString()).readOnly()).requireSuccess().stdoutTrimmed();
        return Checkpoint.of("state was " + current);
      }

      @Override
      public void rollback(RollbackContext ctx) {
        ctx.action("switch to release-6");
        ctx.executor(LocalExecutor.create()).run(Command.of("touch", marker.toString())).requireSuccess();
      }

      @Override
      public void restore(RollbackContext ctx, Checkpoint checkpoint) {}
    };
    Path journalFile = tmp.resolve("journal.jsonl");
    RollbackPlan p = plan().step(s).verify(quick(appIs("v3"))).build();
    // preview takes no lock: it works while another run holds it
    try (LockHandle held = p.lock().acquire("api", LockHolder.current("other"))) {
      Preview pv = p.preview();

      assertThat(marker).doesNotExist();
      assertThat(journalFile).doesNotExist();
      assertThat(pv.steps().get(0).checkpoint()).isEqualTo("state was release-7");
      assertThat(pv.steps().get(0).actions()).containsExactly("switch to release-6",
          "would run on local: touch " + marker);
      assertThat(pv.wouldProceed()).isTrue();
      assertThat(pv.checks()).singleElement().asString().startsWith("app is v3");
      assertThat(pv.toString()).contains("nothing changed").contains("touch " + marker);
      assertThat(pv.toJson()).contains("\"target\" : \"api\"");
    }
    RollbackReport r = p.run();
    assertThat(marker).exists();
    assertThat(r.steps().get(0).actions()).anySatisfy(a -> assertThat(a).startsWith("ran on local: touch"));
  }

  @Test
  void previewSaysWhyAStepWouldRefuse() {
    Preview pv = plan().step(step("a", "app", "v2").failingIn("preflight")).build().preview();

    assertThat(pv.wouldProceed()).isFalse();
    assertThat(pv.steps().get(0).problem()).isEqualTo("would refuse: a broke in preflight");
    assertThat(world).containsEntry("app", "v3");
  }

  @Test
  void listenersHearEveryEventInOrder() {
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    RollbackListener l = new RollbackListener() {
      @Override
      public void onPlanStarted(String target, String runId, int steps) {
        events.add("plan " + steps);
      }

      @Override
      public void onStepStarted(String target, int index, String step, String phase) {
        events.add("start " + index + " " + phase);
      }

      @Override
      public void onStepFinished(String target, int index, String step, String phase, StepState state,
          Duration duration, Throwable error) {
        events.add("end " + index + " " + phase + " " + state);
      }

      @Override
      public void onCheckAttempt(String target, String check, int attempt, CheckResult result) {
        events.add("check " + attempt + " " + result.passed());
      }

      @Override
      public void onRestoreStarted(String target, String reason) {
        events.add("restore");
      }

      @Override
      public void onOutcome(RollbackReport report) {
        events.add("outcome " + report.outcome());
      }
    };
    RollbackListener throwing = new RollbackListener() {
      @Override
      public void onStepStarted(String target, int index, String step, String phase) {
        throw new IllegalStateException("a broken progress bar");
      }
    };
    RollbackReport r = plan().step(step("a", "app", "v2")).verify(quick(appIs("v9"))).listener(throwing)
        .listener(l).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(events).containsExactly("plan 1", "start 1 checkpoint", "end 1 checkpoint CHECKPOINTED",
        "start 1 rollback", "end 1 rollback ROLLED_BACK", "check 1 false", "check 2 false", "check 3 false",
        "restore", "start 1 restore", "end 1 restore RESTORED", "check 1 false", "check 2 false",
        "check 3 false", "outcome FAILED");
  }

  @Test
  void reportRoundTripsThroughJsonAndReadsAsATimeline() {
    RollbackReport r = plan().step(step("a", "app", "v2")).step(step("b", "db", "schema-2").failingIn("rollback"))
        .verify(quick(appIs("v3"))).build().run();

    RollbackReport back = RollbackReport.fromJson(r.toJson());
    assertThat(back).isEqualTo(r);
    String text = r.toText();
    assertThat(text).startsWith("rollback of api: RESTORED in ")
        .contains("[1] started: a: set app to v2")
        .contains("[2] FAILED after")
        .contains("1. RESTORED")
        .contains("verification after restore: passed")
        .doesNotContain("verification after rollback")
        .contains("ok   app is v3: app v3 (1 attempt)");
    assertThatThrownBy(() -> RollbackReport.fromJson("{\"outcome\":\"NOPE\"}"))
        .isInstanceOf(RollbackException.class).hasMessageContaining("not a rollback report");
  }

  @Test
  void aSecondRunOfTheSameTargetIsRefusedWhileTheFirstRuns() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RollbackStrategy slow = new RollbackStrategy() {
      @Override
      public String describe() {
        return "slow";
      }

      @Override
      public Checkpoint checkpoint(RollbackContext ctx) {
        return Checkpoint.of("nothing");
      }

      @Override
      public void rollback(RollbackContext ctx) {
        inside.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void restore(RollbackContext ctx, Checkpoint checkpoint) {}
    };
    RollbackPlan p = plan().step(slow).build();
    CompletableFuture<RollbackReport> first = CompletableFuture.supplyAsync(p::run);
    assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(p::run).isInstanceOf(RollbackInProgressException.class)
        .hasMessageContaining("'api' is already in progress")
        .hasMessageContaining("pid " + ProcessHandle.current().pid());
    // a different target is not blocked
    assertThat(RollbackPlan.builder("other").lock(p.lock()).journal(p.journal()).step(step("x", "config", "c1"))
        .build().run().outcome()).isEqualTo(Outcome.ROLLED_BACK);

    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(p.run().outcome()).isEqualTo(Outcome.ROLLED_BACK);
  }

  @Test
  void journalRecordsTheStartBeforeTheFirstChangeAndTheEndAfterTheLast() {
    Journal j = Journal.jsonLines(tmp.resolve("journal.jsonl"));
    List<String> seenAtCheckpoint = new ArrayList<>();
    RollbackStrategy probe = new RollbackStrategy() {
      @Override
      public String describe() {
        return "probe";
      }

      @Override
      public Checkpoint checkpoint(RollbackContext ctx) {
        j.entries("api").forEach(e -> seenAtCheckpoint.add(e.event()));
        return Checkpoint.of("x");
      }

      @Override
      public void rollback(RollbackContext ctx) {}

      @Override
      public void restore(RollbackContext ctx, Checkpoint checkpoint) {}
    };
    RollbackReport r = plan().journal(j).step(probe).build().run();

    assertThat(seenAtCheckpoint).containsExactly(JournalEntry.STARTED);
    assertThat(j.entries("api")).extracting(JournalEntry::event).containsExactly("STARTED", "FINISHED");
    assertThat(j.entries("api").get(1).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(j.entries("api")).allSatisfy(e -> assertThat(e.runId()).isEqualTo(r.runId()));
    assertThat(j.interrupted("api")).isEmpty();
  }

  @Test
  void aSuccessfulRunCanBeUndoneLaterFromItsCheckpointsOnce() {
    RollbackPlan p = plan().step(step("a", "app", "v2")).step(step("b", "db", "schema-2")).build();
    CompletedRun run = p.runUndoable();
    assertThat(run.report().outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(world).containsEntry("app", "v2");
    log.clear();

    RollbackReport undo = run.undo();

    assertThat(undo.outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(log).containsExactly("b.restore", "a.restore");
    assertThat(world).containsEntry("app", "v3").containsEntry("db", "schema-3");
    assertThat(undo.steps()).extracting(StepReport::state).containsExactly(StepState.RESTORED, StepState.RESTORED);
    assertThat(p.journal().entries("api")).extracting(JournalEntry::detail).anySatisfy(
        d -> assertThat(d).isEqualTo("undo of run " + run.report().runId()));
    assertThat(run.undoable()).isFalse();
    assertThatThrownBy(run::undo).isInstanceOf(IllegalStateException.class).hasMessageContaining("undone already");
  }

  @Test
  void aRunThatDidNotRollBackHasNothingToUndo() {
    CompletedRun run = plan().step(step("a", "app", "v2").failingIn("rollback")).build().runUndoable();
    assertThat(run.report().outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(run.undoable()).isFalse();
    assertThatThrownBy(run::undo).isInstanceOf(IllegalStateException.class).hasMessageContaining("ended RESTORED");
  }

  @Test
  void rejectsTargetNamesThatCannotNameALock() {
    for (String bad : new String[] {"", "../etc", "a/b", "-rf", ".hidden", "a b", "a\nb"}) {
      assertThatThrownBy(() -> RollbackPlan.builder(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not a valid target name");
    }
    assertThatThrownBy(() -> RollbackPlan.builder("ok").build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("at least one step");
  }

  @Test
  void thePlansSecretMaskerReachesStepsAndTheOutputOfCommandsTheyRun() {
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    RollbackStrategy step = new RollbackStrategy() {
      @Override
      public String describe() {
        return "run a command with a DSN";
      }

      @Override
      public Checkpoint checkpoint(RollbackContext ctx) {
        return Checkpoint.of("none");
      }

      @Override
      public void rollback(RollbackContext ctx) {
        seen.add(String.valueOf(ctx.secretMasker().isSecretName("APP_DSN")));
        seen.add(ctx.executor(LocalExecutor.create()).run(Command.of("sh", "-c", "echo dsn $APP_DSN port $PORT")
            .withEnv("APP_DSN", "host=db pw=x9").withEnv("PORT", "8080")).requireSuccess().stdoutTrimmed());
      }

      @Override
      public void restore(RollbackContext ctx, Checkpoint checkpoint) {}
    };

    RollbackReport r = plan().secretMasker(SecretMasker.defaults().withNamePatterns("*_DSN")).step(step).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(seen).containsExactly("true", "dsn *** port 8080");
    assertThat(r.steps().get(0).actions()).singleElement().asString().contains("APP_DSN='***'", "PORT=8080")
        .doesNotContain("x9");
  }
}
