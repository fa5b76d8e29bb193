package dev.rollback.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.RollbackContext;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class TriggerTest {
  final RollbackContext ctx = RollbackContext.standalone("api");
  final Instant t0 = Instant.parse("2026-11-21T06:00:00Z");

  static Check scripted(Boolean... results) {
    Deque<Boolean> q = new ArrayDeque<>(List.of(results));
    return new Check() {
      @Override
      public String describe() {
        return "scripted";
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        return q.removeFirst() ? CheckResult.pass("200") : CheckResult.fail("500");
      }
    };
  }

  static MetricSource values(double... vs) {
    Deque<Double> q = new ArrayDeque<>();
    for (double v : vs) {
      q.add(v);
    }
    return MetricSource.of("ratio", c -> q.removeFirst());
  }

  @Test
  void consecutiveFailuresTripsOnTheNthFailureInARowOnly() {
    Trigger t = Trigger.consecutiveFailures(scripted(false, false, true, false, false, false), 3);
    boolean[] tripped = new boolean[6];
    for (int i = 0; i < 6; i++) {
      tripped[i] = t.observe(ctx, t0.plusSeconds(i)).tripped();
    }
    assertThat(tripped).containsExactly(false, false, false, false, false, true);
    assertThat(t.describe()).isEqualTo("3 consecutive failure(s) of scripted");
  }

  @Test
  void aCheckThatThrowsCountsAsAFailure() {
    Check boom = new Check() {
      @Override
      public String describe() {
        return "boom";
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        throw new IllegalStateException("connection reset");
      }
    };
    Observation o = Trigger.consecutiveFailures(boom, 1).observe(ctx, t0);
    assertThat(o.tripped()).isTrue();
    assertThat(o.value()).contains("connection reset");
  }

  @Test
  void thresholdMustHoldForTheWholeDurationSoAFlappingSignalNeverFires() {
    Trigger flapping = Trigger.above(values(0.5, 0.5, 0.0, 0.5, 0.5, 0.05, 0.5, 0.5), 0.10, Duration.ofSeconds(2));
    for (int i = 0; i < 8; i++) {
      assertThat(flapping.observe(ctx, t0.plusSeconds(i)).tripped()).as("poll %d", i).isFalse();
    }
    Trigger steady = Trigger.above(values(0.5, 0.5, 0.5, 0.5), 0.10, Duration.ofSeconds(2));
    assertThat(steady.observe(ctx, t0).tripped()).isFalse();
    assertThat(steady.observe(ctx, t0.plusSeconds(1)).tripped()).isFalse();
    Observation third = steady.observe(ctx, t0.plusSeconds(2));
    assertThat(third.tripped()).isTrue();
    assertThat(third.value()).isEqualTo("0.5000 > 0.1000 for 2000 ms of 2000 ms");
  }

  @Test
  void anUnreadableMetricIsUnhealthyButRestartsTheDuration() {
    Deque<Object> q = new ArrayDeque<>(List.of(0.5, "down", 0.5, 0.5));
    MetricSource m = MetricSource.of("ratio", c -> {
      Object v = q.removeFirst();
      if (v instanceof String) {
        throw new IllegalStateException("prometheus down");
      }
      return (Double) v;
    });
    Trigger t = Trigger.above(m, 0.1, Duration.ofSeconds(1));
    assertThat(t.observe(ctx, t0).tripped()).isFalse();
    Observation down = t.observe(ctx, t0.plusSeconds(1));
    assertThat(down.healthy()).isFalse();
    assertThat(down.tripped()).isFalse();
    assertThat(t.observe(ctx, t0.plusSeconds(2)).tripped()).isFalse();
    assertThat(t.observe(ctx, t0.plusSeconds(3)).tripped()).isTrue();
  }

  @Test
  void baselineTriggerComparesWithAMultipleOfTheCapturedBaseline() {
    BaselineTrigger t = Trigger.aboveBaseline(values(0.2, 0.9, 1.1, 1.2), 5, Duration.ZERO);
    assertThat(t.captureBaseline(ctx)).isEqualTo(0.2);
    assertThat(t.observe(ctx, t0).tripped()).as("0.9 <= 1.0").isFalse();
    assertThat(t.observe(ctx, t0.plusSeconds(1)).tripped()).as("1.1 > 1.0").isTrue();
    assertThat(t.describe()).contains("5.0x baseline").contains("baseline 0.2000");
    assertThatThrownBy(() -> t.baseline(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
