package dev.rollback.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.RollbackContext;
import dev.rollback.testing.RecordingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VerificationChainTest {
  private final RecordingContext ctx = RecordingContext.create("api");

  /** Fails a number of times, then passes; counts its attempts. */
  private static final class Flaky implements Check {
    private final String name;
    private final int failures;
    private final AtomicInteger calls = new AtomicInteger();

    Flaky(String name, int failures) {
      this.name = name;
      this.failures = failures;
    }

    @Override
    public String describe() {
      return name;
    }

    @Override
    public CheckResult check(RollbackContext c) {
      int n = calls.incrementAndGet();
      return n > failures ? CheckResult.pass("ok on call " + n) : CheckResult.fail("down on call " + n);
    }
  }

  private static Flaky failing(String name) {
    return new Flaky(name, Integer.MAX_VALUE);
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  @Test
  void pollsUntilTheCheckPasses() {
    Flaky check = new Flaky("health", 2);
    VerificationChain chain = VerificationChain.of(check).retry(Retry.every(Duration.ofMillis(10))
        .deadline(Duration.ofSeconds(10)));

    VerificationResult r = chain.verify(ctx);

    assertThat(r.passed()).isTrue();
    CheckReport report = r.checks().get(0);
    assertThat(report.passed()).isTrue();
    assertThat(report.attempts()).extracting(CheckResult::passed).containsExactly(false, false, true);
    assertThat(report.attempts()).extracting(CheckResult::detail)
        .containsExactly("down on call 1", "down on call 2", "ok on call 3");
    assertThat(check.calls).hasValue(3);
    assertThat(report.attempts()).allSatisfy(a -> assertThat(a.at()).isNotNull());
  }

  @Test
  void waitsTheIntervalBetweenAttemptStarts() {
    Flaky check = new Flaky("health", 2);

    VerificationResult r = VerificationChain.of(check).retry(Retry.every(Duration.ofMillis(50))).verify(ctx);

    Instant first = r.checks().get(0).attempts().get(0).at();
    Instant third = r.checks().get(0).attempts().get(2).at();
    assertThat(Duration.between(first, third)).isGreaterThanOrEqualTo(Duration.ofMillis(95));
  }

  @Test
  void givesUpAtTheDeadline() {
    Flaky check = failing("health");
    Duration deadline = Duration.ofMillis(300);
    Duration interval = Duration.ofMillis(20);
    VerificationChain chain = VerificationChain.of(check).retry(Retry.every(interval).deadline(deadline));

    long start = System.nanoTime();
    VerificationResult r = chain.verify(ctx);
    Duration took = since(start);

    assertThat(r.passed()).isFalse();
    assertThat(took).isGreaterThanOrEqualTo(deadline.minus(interval)).isLessThan(deadline.plus(interval)
        .plusSeconds(1));
    CheckReport report = r.checks().get(0);
    assertThat(report.attempts().size()).isBetween(3, 16);
    Instant first = report.attempts().get(0).at();
    assertThat(report.attempts()).allSatisfy(a -> assertThat(a.at()).isBeforeOrEqualTo(first.plus(deadline)));
    assertThat(r.summary()).isEqualTo("health: down on call " + report.attempts().size() + " (after "
        + report.attempts().size() + " attempt(s))");
  }

  @Test
  void stopsAtTheAttemptLimit() {
    Flaky check = failing("health");

    VerificationResult r = VerificationChain.of(check).retry(Retry.every(Duration.ofMillis(10)).attempts(3))
        .verify(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.checks().get(0).attempts()).hasSize(3);
    assertThat(check.calls).hasValue(3);
  }

  @Test
  void stopsAtTheFirstFailedCheckAndReportsLaterOnesAsNotRun() {
    Flaky first = new Flaky("first", 0);
    Flaky second = failing("second");
    Flaky third = new Flaky("third", 0);
    VerificationChain chain = VerificationChain.of(first, second, third)
        .retry(Retry.every(Duration.ofMillis(10)).attempts(2));

    VerificationResult r = chain.verify(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.checks()).extracting(CheckReport::check).containsExactly("first", "second", "third");
    assertThat(r.checks()).extracting(CheckReport::passed).containsExactly(true, false, false);
    assertThat(r.checks().get(2).attempts()).isEmpty();
    assertThat(r.checks().get(2).lastDetail()).isEqualTo("not run");
    assertThat(third.calls).hasValue(0);
    assertThat(r.summary()).startsWith("second: down on call 2");
    assertThat(r.details()).isEqualTo("ok   first: ok on call 1\nFAIL second: down on call 2\nFAIL third: not run");
  }

  @Test
  void anExceptionIsAFailedAttemptAndPollingGoesOn() {
    AtomicInteger calls = new AtomicInteger();
    Check throwsOnce = new Check() {
      @Override
      public String describe() {
        return "throws once";
      }

      @Override
      public CheckResult check(RollbackContext c) {
        if (calls.incrementAndGet() == 1) {
          throw new IllegalStateException("socket closed");
        }
        return CheckResult.pass("fine");
      }
    };

    VerificationResult r = VerificationChain.of(throwsOnce).retry(Retry.every(Duration.ofMillis(10))).verify(ctx);

    assertThat(r.passed()).isTrue();
    assertThat(r.checks().get(0).attempts()).extracting(CheckResult::detail)
        .containsExactly("IllegalStateException: socket closed", "fine");
    assertThat(r.checks().get(0).attempts().get(0).passed()).isFalse();
  }

  @Test
  void aNullResultIsAFailedAttempt() {
    Check nothing = new Check() {
      @Override
      public String describe() {
        return "null";
      }

      @Override
      public CheckResult check(RollbackContext c) {
        return null;
      }
    };

    VerificationResult r = VerificationChain.of(nothing).retry(Retry.once()).verify(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.checks().get(0).lastDetail()).isEqualTo("check returned no result");
  }

  @Test
  void theListenerHearsEveryAttemptOfEveryCheck() {
    Flaky a = new Flaky("a", 1);
    Flaky b = new Flaky("b", 2);

    VerificationChain.of(a, b).retry(Retry.every(Duration.ofMillis(10))).verify(ctx);

    assertThat(ctx.attempts()).extracting(RecordingContext.Attempt::check).containsExactly("a", "a", "b", "b", "b");
    assertThat(ctx.attempts()).extracting(RecordingContext.Attempt::attempt).containsExactly(1, 2, 1, 2, 3);
    assertThat(ctx.attempts()).extracting(RecordingContext.Attempt::target).containsOnly("api");
    assertThat(ctx.attempts()).extracting(x -> x.result().detail())
        .containsExactly("down on call 1", "ok on call 2", "down on call 1", "down on call 2", "ok on call 3");
  }

  @Test
  void theChainDeadlineBoundsChecksWithLongerRetries() {
    Flaky check = failing("health");
    VerificationChain chain = VerificationChain.of(check)
        .retry(Retry.every(Duration.ofMillis(20)).deadline(Duration.ofSeconds(60)))
        .deadline(Duration.ofMillis(250));

    long start = System.nanoTime();
    VerificationResult r = chain.verify(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(since(start)).isGreaterThanOrEqualTo(Duration.ofMillis(200)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void theChainDeadlineIsSharedByLaterChecks() {
    Flaky slowToPass = new Flaky("first", 8);
    Flaky second = failing("second");
    VerificationChain chain = VerificationChain.of(slowToPass, second)
        .retry(Retry.every(Duration.ofMillis(25)).deadline(Duration.ofSeconds(60)))
        .deadline(Duration.ofMillis(400));

    long start = System.nanoTime();
    VerificationResult r = chain.verify(ctx);

    assertThat(r.checks().get(0).passed()).isTrue();
    assertThat(r.checks().get(1).passed()).isFalse();
    // the first check used about 200 ms of the 400: the second gets what is left, not 400 of its own
    assertThat(since(start)).isLessThan(Duration.ofMillis(400).plusSeconds(1));
    assertThat(r.checks().get(1).attempts().size()).isLessThan(16);
  }

  @Test
  void aCheckWithItsOwnRetryIgnoresTheChainRetry() {
    Flaky own = failing("own");

    VerificationResult r = VerificationChain.none().then(own, Retry.once())
        .retry(Retry.every(Duration.ofMillis(10)).attempts(5)).verify(ctx);

    assertThat(r.checks().get(0).attempts()).hasSize(1);
  }

  @Test
  void anEmptyChainPassesWithoutAttempts() {
    VerificationResult r = VerificationChain.none().verify(ctx);

    assertThat(r.passed()).isTrue();
    assertThat(r.checks()).isEmpty();
    assertThat(ctx.attempts()).isEmpty();
  }
}
