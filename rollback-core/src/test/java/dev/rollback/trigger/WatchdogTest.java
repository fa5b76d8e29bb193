package dev.rollback.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.Outcome;
import dev.rollback.RollbackPlan;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.Strategies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatchdogTest {
  @TempDir
  Path tmp;
  final AtomicInteger rollbacks = new AtomicInteger();

  RollbackPlan plan() {
    return RollbackPlan.builder("api").lock(TargetLock.inDirectory(tmp)).journal(Journal.none())
        .step(Strategies.of("count", rollbacks::incrementAndGet)).build();
  }

  @Test
  void firesThePlanOnceWhenATriggerTripsAndReportsWhatItSaw() {
    Watchdog dog = Watchdog.builder(plan())
        .trigger(Trigger.consecutiveFailures(TriggerTest.scripted(true, false, true, false, false, false, false), 3))
        .every(Duration.ofMillis(10)).build();

    WatchdogReport r = dog.watch();

    assertThat(r.outcome()).isEqualTo(WatchdogReport.Outcome.FIRED);
    assertThat(rollbacks.get()).isEqualTo(1);
    assertThat(r.rollback().outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.trigger()).isEqualTo("3 consecutive failure(s) of scripted");
    assertThat(r.observations()).hasSize(6).last().satisfies(o -> {
      assertThat(o.tripped()).isTrue();
      assertThat(o.value()).isEqualTo("500 (3 of 3 consecutive failures)");
    });
    // the streak that tripped began at the 4th poll
    assertThat(r.firstUnhealthyAt()).isEqualTo(r.observations().get(3).at());
    assertThat(r.detectionTime()).isPositive();
    assertThat(r.toText()).contains("FIRED").contains("3 of 3");
    assertThat(r.toJson()).contains("\"outcome\" : \"FIRED\"");

    assertThatThrownBy(dog::watch).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("never rolls back twice on its own");
    assertThat(rollbacks.get()).isEqualTo(1);
  }

  @Test
  void expiresWithoutFiringOnAFlappingSignal() {
    double[] flapping = new double[400];
    for (int i = 0; i < flapping.length; i++) {
      flapping[i] = i % 3 == 2 ? 0.0 : 0.9;
    }
    Watchdog dog = Watchdog.builder(plan())
        .trigger(Trigger.above(TriggerTest.values(flapping), 0.1, Duration.ofMillis(100)))
        .every(Duration.ofMillis(20)).maxDuration(Duration.ofMillis(600)).build();

    WatchdogReport r = dog.watch();

    assertThat(r.outcome()).isEqualTo(WatchdogReport.Outcome.EXPIRED);
    assertThat(rollbacks.get()).isZero();
    assertThat(r.rollback()).isNull();
  }

  @Test
  void stopEndsAWatchInProgress() throws Exception {
    Watchdog dog = Watchdog.builder(plan())
        .trigger(Trigger.above(MetricSource.of("zero", c -> 0.0), 1, Duration.ZERO))
        .every(Duration.ofSeconds(30)).build();
    CompletableFuture<WatchdogReport> f = dog.start();
    dog.stop();
    assertThat(f.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(WatchdogReport.Outcome.STOPPED);
    assertThat(rollbacks.get()).isZero();
  }

  @Test
  void refusesToStartWithABaselineTriggerThatHasNoBaseline() {
    Watchdog dog = Watchdog.builder(plan())
        .trigger(Trigger.aboveBaseline(MetricSource.of("p95", c -> 1.0), 5, Duration.ZERO)).build();
    assertThatThrownBy(dog::watch).isInstanceOf(IllegalStateException.class).hasMessageContaining("no baseline");
  }

  @Test
  void aRollbackAlreadyRunningIsReportedNotRetried() {
    RollbackPlan p = plan();
    try (var held = p.lock().acquire("api", dev.rollback.lock.LockHolder.current("someone-else"))) {
      WatchdogReport r = Watchdog.builder(p)
          .trigger(Trigger.consecutiveFailures(TriggerTest.scripted(false), 1)).every(Duration.ofMillis(10))
          .build().watch();
      assertThat(r.outcome()).isEqualTo(WatchdogReport.Outcome.FIRED);
      assertThat(r.rollback()).isNull();
      assertThat(r.error()).contains("already in progress");
    }
    assertThat(rollbacks.get()).isZero();
  }
}
