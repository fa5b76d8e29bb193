package dev.rollback.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Checkpoint;
import dev.rollback.Outcome;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackStrategy;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.trigger.Trigger;
import dev.rollback.trigger.Watchdog;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drills over an in-memory "deployment": a version that a health check reads. */
class RollbackDrillTest {
  @TempDir
  Path tmp;
  final AtomicReference<String> live = new AtomicReference<>("v1");

  Check healthy() {
    return new Check() {
      @Override
      public String describe() {
        return "health";
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        return live.get().equals("bad") ? CheckResult.fail("500") : CheckResult.pass("200 from " + live.get());
      }
    };
  }

  RollbackPlan plan(String to) {
    RollbackStrategy s = new RollbackStrategy() {
      @Override
      public String describe() {
        return "deploy " + to;
      }

      @Override
      public Checkpoint checkpoint(RollbackContext ctx) {
        return Checkpoint.of(live.get());
      }

      @Override
      public void rollback(RollbackContext ctx) {
        live.set(to);
      }

      @Override
      public void restore(RollbackContext ctx, Checkpoint checkpoint) {
        live.set(checkpoint.describe());
      }
    };
    return RollbackPlan.builder("api").lock(TargetLock.inDirectory(tmp)).journal(Journal.none()).step(s)
        .verify(VerificationChain.of(healthy()).retry(Retry.every(Duration.ofMillis(10)).attempts(5))).build();
  }

  @Test
  void watchdogDetectsTheBadReleaseAndTheDrillMeasuresTimeToRecover() {
    DrillReport r = RollbackDrill.named("api")
        .breakWith(() -> live.set("bad"))
        .recoverWith(Watchdog.builder(plan("v1")).trigger(Trigger.consecutiveFailures(healthy(), 3))
            .every(Duration.ofMillis(20)))
        .verify(VerificationChain.of(healthy()).retry(Retry.once()))
        .build().run();

    assertThat(r.passed()).isTrue();
    assertThat(live.get()).isEqualTo("v1");
    assertThat(r.rollbackOutcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.watchdog().observations()).filteredOn(o -> !o.healthy()).hasSize(3);
    // three failed polls scheduled 20 ms apart: the third comes two intervals after the first (less the jitter of
    // reading the clock inside each poll)
    assertThat(Duration.between(r.firstFailedProbeAt(), r.detectedAt())).isGreaterThanOrEqualTo(
        Duration.ofMillis(35));
    assertThat(r.timeToRecover()).isGreaterThanOrEqualTo(Duration.between(r.firstFailedProbeAt(), r.detectedAt()));
    assertThat(r.stepDurations()).containsOnlyKeys("1. deploy v1");
    assertThat(r.toText()).contains("drill api: PASSED").contains("time to recover");
    assertThat(r.toJson()).contains("\"passed\" : true");
  }

  @Test
  void aDrillWhoseRollbackTargetIsAlsoBadFailsAndSaysWhy() {
    DrillReport r = RollbackDrill.named("api")
        .breakWith(() -> live.set("bad"))
        .recoverWith(plan("bad"))
        .verify(VerificationChain.of(healthy()).retry(Retry.once()))
        .build().run();

    assertThat(r.passed()).isFalse();
    assertThat(r.rollbackOutcome()).isIn(Outcome.RESTORED, Outcome.FAILED);
    assertThat(r.failure()).startsWith("the rollback ended");
    assertThat(r.timeToRecover()).isNull();
  }

  @Test
  void aBreakTheWatchdogNeverSeesFailsTheDrillAtTheDeadline() {
    DrillReport r = RollbackDrill.named("api")
        .breakWith(() -> live.set("v2-quietly-broken"))
        .recoverWith(Watchdog.builder(plan("v1")).trigger(Trigger.consecutiveFailures(healthy(), 3))
            .every(Duration.ofMillis(20)))
        .detectionDeadline(Duration.ofMillis(300))
        .build().run();

    assertThat(r.passed()).isFalse();
    assertThat(r.failure()).contains("not detected");
    assertThat(live.get()).isEqualTo("v2-quietly-broken");
  }
}
