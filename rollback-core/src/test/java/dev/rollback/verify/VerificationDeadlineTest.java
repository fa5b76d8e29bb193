package dev.rollback.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.RollbackContext;
import dev.rollback.testing.RecordingContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A deadline is a promise: against a listener that accepts connections and never answers, a verification ends
 * within its deadline, whatever the checks' own timeouts. The upper bounds asserted here are the behaviour under
 * test (the issue this pins measured 15 s for a 6 s deadline), with a margin for a loaded two-core machine.
 */
class VerificationDeadlineTest {
  /** What the chain may take beyond its deadline: thread scheduling, not another attempt. */
  static final Duration MARGIN = Duration.ofMillis(900);

  static ServerSocket hanging;
  static final List<Socket> held = new CopyOnWriteArrayList<>();
  private final RecordingContext ctx = RecordingContext.create("api");

  @BeforeAll
  static void listenAndNeverAnswer() throws IOException {
    hanging = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!hanging.isClosed()) {
        try {
          held.add(hanging.accept()); // accepted, never read, never answered
        } catch (IOException e) {
          return;
        }
      }
    }, "hanging-listener");
    t.setDaemon(true);
    t.start();
  }

  @AfterAll
  static void close() throws IOException {
    hanging.close();
    for (Socket s : held) {
      s.close();
    }
  }

  static String url() {
    return "http://127.0.0.1:" + hanging.getLocalPort() + "/health";
  }

  static Stream<Arguments> timeoutsAndDeadlines() {
    return Stream.of(
        Arguments.of(Duration.ofSeconds(5), Duration.ofMillis(1500), true),
        Arguments.of(Duration.ofSeconds(5), Duration.ofMillis(1500), false),
        Arguments.of(Duration.ofSeconds(2), Duration.ofMillis(3000), true),
        Arguments.of(Duration.ofSeconds(2), Duration.ofMillis(3000), false),
        Arguments.of(Duration.ofMillis(700), Duration.ofMillis(2000), true),
        Arguments.of(Duration.ofMillis(700), Duration.ofMillis(2000), false),
        Arguments.of(Duration.ofMillis(1000), Duration.ofMillis(1000), false));
  }

  @ParameterizedTest(name = "timeout {0}, deadline {1}, set on the chain: {2}")
  @MethodSource("timeoutsAndDeadlines")
  void aHangingServerNeverHoldsTheVerificationPastItsDeadline(Duration timeout, Duration deadline, boolean onChain) {
    HttpCheck check = HttpCheck.get(url()).expectStatus(200).timeout(timeout);
    Retry every = Retry.every(Duration.ofMillis(250));
    VerificationChain chain = onChain ? VerificationChain.of(check).retry(every).deadline(deadline)
        : VerificationChain.of(check).retry(every.deadline(deadline));

    long t0 = System.nanoTime();
    VerificationResult r = chain.verify(ctx);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(r.passed()).isFalse();
    assertThat(took).as("verification with deadline %s took %s", deadline, took).isLessThan(deadline.plus(MARGIN));
    List<CheckResult> attempts = r.checks().get(0).attempts();
    assertThat(attempts).isNotEmpty();
    assertThat(attempts).allSatisfy(a -> assertThat(a.at()).isBefore(r.startedAt().plus(deadline)));
  }

  @Test
  void aCheckThatIgnoresItsBoundIsAbandonedAtTheDeadline() {
    Check stuck = new Check() {
      @Override
      public String describe() {
        return "a check without a timeout";
      }

      @Override
      public CheckResult check(RollbackContext c) {
        try {
          Thread.sleep(30_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return CheckResult.pass("too late");
      }
    };

    long t0 = System.nanoTime();
    VerificationResult r = VerificationChain.of(stuck).retry(Retry.every(Duration.ofMillis(100))
        .deadline(Duration.ofSeconds(1))).verify(ctx);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(r.passed()).isFalse();
    assertThat(took).isLessThan(Duration.ofSeconds(1).plus(MARGIN));
    assertThat(r.checks().get(0).attempts()).singleElement().extracting(CheckResult::detail).asString()
        .startsWith("no result within the ").endsWith("ms left before the deadline (the attempt was abandoned)");
  }

  @Test
  void aCheckWhoseTurnComesAfterTheChainsDeadlineIsNotAttempted() {
    HttpCheck slow = HttpCheck.get(url()).expectStatus(200).timeout(Duration.ofSeconds(5));
    HttpCheck second = HttpCheck.get(url()).expectStatus(204);
    VerificationChain chain = VerificationChain.of(slow).then(second).retry(Retry.once())
        .deadline(Duration.ofMillis(800));

    VerificationResult r = chain.verify(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.checks().get(1).attempts()).allSatisfy(a -> assertThat(a.detail()).startsWith("not attempted"));
  }
}
