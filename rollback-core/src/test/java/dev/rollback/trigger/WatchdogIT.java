package dev.rollback.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.Outcome;
import dev.rollback.RollbackPlan;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.LocalHttpServer;
import dev.rollback.testing.Strategies;
import dev.rollback.testing.TestEnvironment;
import dev.rollback.verify.HttpCheck;
import dev.rollback.verify.PrometheusClient;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog against a real HTTP endpoint and the real Prometheus from scripts/test-env.sh, which scrapes the
 * metrics this test serves (job {@code rollback-test}, every second). Series carry a per-run label.
 */
class WatchdogIT {
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String GAUGE = "rollback_test_5xx_ratio{run=\"" + RUN + "\"}";
  private static volatile double ratio = 0.0;
  private static volatile boolean flapping;
  private static final AtomicInteger scrapes = new AtomicInteger();
  private static HttpServer metrics;
  private static URI prometheus;

  @TempDir
  Path tmp;
  final AtomicInteger rollbacks = new AtomicInteger();

  @BeforeAll
  static void serveMetrics() throws IOException {
    TestEnvironment env = TestEnvironment.load()
        .requireServer("Prometheus", null, null, "prometheus.url", "prometheus.scrape_port");
    prometheus = URI.create(env.get("prometheus.url"));
    int port = env.port("prometheus.scrape_port");
    metrics = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 10);
    metrics.createContext("/metrics", ex -> {
      int n = scrapes.incrementAndGet();
      double v = flapping ? (n % 2 == 0 ? 0.5 : 0.0) : ratio;
      byte[] body = ("# TYPE rollback_test_5xx_ratio gauge\n" + GAUGE + " " + v + "\n")
          .getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    metrics.start();
  }

  @AfterAll
  static void stop() {
    if (metrics != null) {
      metrics.stop(0);
    }
  }

  RollbackPlan plan(Runnable rollback) {
    return RollbackPlan.builder("api").lock(TargetLock.inDirectory(tmp)).journal(Journal.none())
        .step(Strategies.of("roll back", () -> {
          rollbacks.incrementAndGet();
          rollback.run();
        })).build();
  }

  static void awaitPrometheusSees(double value) {
    PrometheusClient client = PrometheusClient.at(prometheus);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> client.value(GAUGE) == value);
  }

  @Test
  void threeConsecutiveFailedHealthChecksOnARealEndpointFireTheRollbackOnce() {
    AtomicInteger status = new AtomicInteger(200);
    AtomicInteger polls = new AtomicInteger();
    try (LocalHttpServer app = LocalHttpServer.start()) {
      app.route("/health", ex -> {
        // healthy for five polls, then the bad release answers 500 until it is rolled back
        if (polls.incrementAndGet() == 5) {
          status.set(500);
        }
        LocalHttpServer.send(ex, status.get(), "status " + status.get());
      });
      HttpCheck health = HttpCheck.get(app.uri("/health")).expectStatus(200);
      RollbackPlan plan = RollbackPlan.builder("api").lock(TargetLock.inDirectory(tmp)).journal(Journal.none())
          .step(Strategies.of("previous release", () -> {
            rollbacks.incrementAndGet();
            status.set(200);
          }))
          .verify(VerificationChain.of(health).retry(Retry.every(Duration.ofMillis(50)).attempts(5))).build();

      WatchdogReport r = Watchdog.builder(plan).trigger(Trigger.consecutiveFailures(health, 3))
          .every(Duration.ofMillis(50)).maxDuration(Duration.ofSeconds(30)).build().watch();

      assertThat(r.outcome()).isEqualTo(WatchdogReport.Outcome.FIRED);
      assertThat(rollbacks.get()).isEqualTo(1);
      assertThat(r.rollback().outcome()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(r.observations()).filteredOn(o -> !o.healthy()).hasSize(3)
          .allSatisfy(o -> assertThat(o.value()).contains("HTTP 500"));
      assertThat(r.observations()).filteredOn(Observation::healthy).hasSize(4);
    }
  }

  @Test
  void aPrometheusRatioAboveItsThresholdForTheWholeDurationFires() {
    flapping = false;
    ratio = 0.5;
    awaitPrometheusSees(0.5);
    Duration hold = Duration.ofSeconds(2);

    WatchdogReport r = Watchdog.builder(plan(() -> ratio = 0.0))
        .trigger(Trigger.above(MetricSource.prometheus(prometheus, GAUGE), 0.10, hold))
        .every(Duration.ofMillis(250)).maxDuration(Duration.ofSeconds(30)).build().watch();

    assertThat(r.outcome()).isEqualTo(WatchdogReport.Outcome.FIRED);
    assertThat(rollbacks.get()).isEqualTo(1);
    assertThat(r.trigger()).contains("above 0.1 for 2 s");
    Observation last = r.observations().get(r.observations().size() - 1);
    assertThat(last.value()).startsWith("0.5000 > 0.1000 for ");
    assertThat(Duration.between(r.firstUnhealthyAt(), r.firedAt())).isGreaterThanOrEqualTo(hold);
  }

  @Test
  void aFlappingRatioDoesNotFire() {
    flapping = true;
    try {
      PrometheusClient client = PrometheusClient.at(prometheus);
      // wait until Prometheus has seen both values of the flapping series
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
          .until(() -> client.value(GAUGE) == 0.5);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
          .until(() -> client.value(GAUGE) == 0.0);

      WatchdogReport r = Watchdog.builder(plan(() -> { }))
          .trigger(Trigger.above(MetricSource.prometheus(prometheus, GAUGE), 0.10, Duration.ofSeconds(3)))
          .every(Duration.ofMillis(250)).maxDuration(Duration.ofSeconds(8)).build().watch();

      assertThat(r.outcome()).isEqualTo(WatchdogReport.Outcome.EXPIRED);
      assertThat(rollbacks.get()).isZero();
    } finally {
      flapping = false;
    }
  }
}
