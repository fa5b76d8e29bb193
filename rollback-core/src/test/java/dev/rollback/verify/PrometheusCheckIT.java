package dev.rollback.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.rollback.RollbackContext;
import dev.rollback.testing.TestEnvironment;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PrometheusCheck against the real Prometheus that scripts/test-env.sh starts. The test serves the metrics that
 * Prometheus scrapes (job {@code rollback-test}, every second) and changes them; every series carries a
 * {@code run} label unique to this run, so data from earlier runs cannot answer.
 */
class PrometheusCheckIT {
  private static final Duration SCRAPED = Duration.ofSeconds(20);
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String GAUGE = "rollback_test_error_ratio{run=\"" + RUN + "\"}";
  private static final String RATIO = "sum(rate(http_requests_total{run=\"" + RUN + "\",code=\"500\"}[5s]))"
      + " / sum(rate(http_requests_total{run=\"" + RUN + "\"}[5s]))";

  /** What the next scrape sees: the gauge's value and how the counters grow per scrape. */
  private record Traffic(double errorRatio, long ok, long errors) {}

  private static final AtomicReference<Traffic> TRAFFIC = new AtomicReference<>(new Traffic(0.02, 98, 2));
  private static long ok;
  private static long errors;
  private static HttpServer metrics;
  private static String prometheus;
  private final RollbackContext ctx = RollbackContext.standalone("api");

  @BeforeAll
  static void serveMetrics() throws IOException {
    TestEnvironment env = TestEnvironment.load()
        .requireServer("Prometheus", null, null, "prometheus.url", "prometheus.scrape_port");
    prometheus = env.get("prometheus.url");
    CheckResult ready = HttpCheck.get(prometheus + "/-/ready").expectStatus(200).check(
        RollbackContext.standalone("it"));
    if (!ready.passed()) {
      TestEnvironment.unavailable("Prometheus at " + prometheus + " is not ready: " + ready.detail());
    }
    int port = env.port("prometheus.scrape_port");
    try {
      metrics = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 10);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serve metrics on 127.0.0.1:" + port + " (" + e.getMessage()
          + "); is another test run serving them?", e);
    }
    metrics.createContext("/metrics", ex -> {
      byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    metrics.start();
  }

  private static synchronized String scrape() {
    Traffic t = TRAFFIC.get();
    ok += t.ok;
    errors += t.errors;
    return "# TYPE http_requests_total counter\n"
        + "http_requests_total{run=\"" + RUN + "\",code=\"200\"} " + ok + "\n"
        + "http_requests_total{run=\"" + RUN + "\",code=\"500\"} " + errors + "\n"
        + "# TYPE rollback_test_error_ratio gauge\n"
        + "rollback_test_error_ratio{run=\"" + RUN + "\"} " + String.format(Locale.ROOT, "%s", t.errorRatio)
        + "\n";
  }

  @AfterAll
  static void stopMetrics() {
    if (metrics != null) {
      metrics.stop(0);
    }
  }

  /** Waits until Prometheus has scraped the gauge's current value. */
  private static void awaitGauge(double value) {
    PrometheusClient client = PrometheusClient.at(prometheus);
    await("Prometheus scrapes " + GAUGE + " = " + value).atMost(SCRAPED).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> {
          List<PrometheusClient.Sample> s = client.query(GAUGE);
          return s.size() == 1 && s.get(0).value() == value;
        });
  }

  @Test
  void gaugeBelowThresholdPassesAndAboveItFailsNamingTheValue() {
    TRAFFIC.set(new Traffic(0.02, 98, 2));
    awaitGauge(0.02);
    PrometheusCheck check = PrometheusCheck.query(prometheus, GAUGE).below(0.1);

    CheckResult low = check.check(ctx);

    assertThat(low.passed()).as(low.detail()).isTrue();
    assertThat(low.detail()).contains("job=\"rollback-test\"").contains("run=\"" + RUN + "\"")
        .endsWith("value 0.02 < threshold 0.1");

    TRAFFIC.set(new Traffic(0.31, 98, 2));
    awaitGauge(0.31);

    CheckResult high = check.check(ctx);

    assertThat(high.passed()).isFalse();
    assertThat(high.detail()).startsWith("rollback_test_error_ratio{").endsWith("value 0.31 >= threshold 0.1");
  }

  @Test
  void errorRatioFromCounterRatesCrossesTheThreshold() {
    TRAFFIC.set(new Traffic(0.02, 98, 2));
    PrometheusCheck check = PrometheusCheck.query(prometheus, RATIO).below(0.1);
    // Poll as a rollback would: the chain retries until the rate window holds enough samples.
    VerificationChain chain = VerificationChain.of(check)
        .retry(Retry.every(Duration.ofMillis(250)).deadline(SCRAPED));

    VerificationResult healthy = chain.verify(ctx);

    assertThat(healthy.passed()).as(healthy.details()).isTrue();
    assertThat(healthy.checks().get(0).lastDetail()).matches("value 0\\.0\\d+ < threshold 0\\.1");

    TRAFFIC.set(new Traffic(0.02, 70, 30));
    await("the 5xx ratio rises above 0.25").atMost(SCRAPED).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> PrometheusClient.at(prometheus).value(RATIO) > 0.25);

    CheckResult bad = check.check(ctx);

    assertThat(bad.passed()).isFalse();
    assertThat(bad.detail()).matches("value 0\\.[2-3]\\d* >= threshold 0\\.1");
  }

  @Test
  void emptyAnswersAndQueryErrorsFromARealServer() {
    String nothing = "rollback_test_error_ratio{run=\"no-such-run\"}";

    CheckResult empty = PrometheusCheck.query(prometheus, nothing).below(0.1).check(ctx);
    CheckResult assumed = PrometheusCheck.query(prometheus, nothing).below(0.1).whenEmpty(0).check(ctx);
    CheckResult broken = PrometheusCheck.query(prometheus, "sum(" + GAUGE).below(0.1).check(ctx);

    assertThat(empty.passed()).isFalse();
    assertThat(empty.detail()).startsWith("query returned no samples");
    assertThat(assumed.passed()).isTrue();
    assertThat(broken.passed()).isFalse();
    assertThat(broken.detail()).contains("HTTP 400").contains("bad_data").contains("parse error");
  }

  @Test
  void scalarQueriesWork() {
    CheckResult r = PrometheusCheck.query(prometheus, "scalar(vector(3))").atLeast(3).check(ctx);

    assertThat(r.passed()).as(r.detail()).isTrue();
    assertThat(r.detail()).isEqualTo("value 3 >= threshold 3");
  }
}
