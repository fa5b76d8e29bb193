package dev.rollback.verify;

import static dev.rollback.verify.FakePrometheus.error;
import static dev.rollback.verify.FakePrometheus.sample;
import static dev.rollback.verify.FakePrometheus.scalar;
import static dev.rollback.verify.FakePrometheus.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.RollbackContext;
import dev.rollback.exec.Secret;
import dev.rollback.testing.LocalHttpServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrometheusCheckTest {
  private static final String RATIO = "error_ratio";
  private final RollbackContext ctx = RollbackContext.standalone("api");
  private final FakePrometheus prom = new FakePrometheus();

  @AfterEach
  void stop() {
    prom.close();
  }

  private CheckResult check(PrometheusCheck c) {
    return c.check(ctx);
  }

  @Test
  void scalarBelowThresholdPassesAndSaysValueVersusThreshold() {
    prom.answer(RATIO, scalar("0.05"));

    CheckResult r = check(PrometheusCheck.query(prom.base(), RATIO).below(0.1));

    assertThat(r.passed()).isTrue();
    assertThat(r.detail()).isEqualTo("value 0.05 < threshold 0.1");
  }

  @Test
  void scalarAboveThresholdFailsAndSaysValueVersusThreshold() {
    prom.answer(RATIO, scalar("0.31"));

    CheckResult r = check(PrometheusCheck.query(prom.base().toString(), RATIO).atMost(0.10));

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("value 0.31 > threshold 0.1");
  }

  @Test
  void thresholdsDifferAtTheLimitItself() {
    prom.answer(RATIO, scalar("0.1"));
    PrometheusCheck.Query q = PrometheusCheck.query(prom.base(), RATIO);

    assertThat(check(q.below(0.1)).passed()).isFalse();
    assertThat(check(q.below(0.1)).detail()).isEqualTo("value 0.1 >= threshold 0.1");
    assertThat(check(q.atMost(0.1)).passed()).isTrue();
    assertThat(check(q.above(0.1)).passed()).isFalse();
    assertThat(check(q.above(0.1)).detail()).isEqualTo("value 0.1 <= threshold 0.1");
    assertThat(check(q.atLeast(0.1)).passed()).isTrue();
    assertThat(check(q.above(0.05)).passed()).isTrue();
    assertThat(check(q.atLeast(0.2)).detail()).isEqualTo("value 0.1 < threshold 0.2");
  }

  @Test
  void valuesThatRoundAlikeArePrintedInFull() {
    prom.answer(RATIO, scalar("0.1000000001"));

    CheckResult r = check(PrometheusCheck.query(prom.base(), RATIO).atMost(0.1));

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("value 0.1000000001 > threshold 0.1");
  }

  @Test
  void vectorPassesWhenEverySampleKeepsTheThreshold() {
    prom.answer("rate5xx", vector(sample("\"code\":\"500\"", "0.02"), sample("\"code\":\"502\"", "0.07")));

    CheckResult r = check(PrometheusCheck.query(prom.base(), "rate5xx").below(0.1));

    assertThat(r.passed()).isTrue();
    assertThat(r.detail()).isEqualTo("2 series, worst value 0.07 < threshold 0.1");
  }

  @Test
  void vectorFailureListsEachOffendingSeriesWithLabelsAndValue() {
    prom.answer("rate5xx", vector(
        sample("\"__name__\":\"http_requests\",\"code\":\"500\",\"instance\":\"a\"", "0.31"),
        sample("\"code\":\"502\"", "0.02"),
        sample("\"code\":\"503\"", "0.5")));

    CheckResult r = check(PrometheusCheck.query(prom.base(), "rate5xx").below(0.1));

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("2 of 3 series fail: "
        + "http_requests{code=\"500\", instance=\"a\"} value 0.31 >= threshold 0.1; "
        + "{code=\"503\"} value 0.5 >= threshold 0.1");
  }

  @Test
  void aLowerBoundReportsTheLowestSampleAsWorst() {
    prom.answer("up", vector(sample("\"instance\":\"a\"", "1"), sample("\"instance\":\"b\"", "3")));

    CheckResult r = check(PrometheusCheck.query(prom.base(), "up").atLeast(1));

    assertThat(r.passed()).isTrue();
    assertThat(r.detail()).isEqualTo("2 series, worst value 1 >= threshold 1");
  }

  @Test
  void manyOffendingSeriesAreCappedInTheDetail() {
    String[] series = new String[8];
    for (int i = 0; i < series.length; i++) {
      series[i] = sample("\"pod\":\"p" + i + "\"", "9");
    }
    prom.answer("x", vector(series));

    CheckResult r = check(PrometheusCheck.query(prom.base(), "x").below(1));

    assertThat(r.detail()).startsWith("8 of 8 series fail: ").contains("{pod=\"p4\"}").doesNotContain("p5")
        .endsWith("; and 3 more");
  }

  @Test
  void singleLabelledSampleNamesItsSeries() {
    prom.answer(RATIO, vector(sample("\"job\":\"api\"", "0.4")));

    CheckResult r = check(PrometheusCheck.query(prom.base(), RATIO).below(0.1));

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("{job=\"api\"} value 0.4 >= threshold 0.1");
  }

  @Test
  void emptyResultFailsByDefault() {
    prom.answer(RATIO, vector());

    CheckResult r = check(PrometheusCheck.query(prom.base(), RATIO).below(0.1));

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("query returned no samples").contains("threshold < 0.1")
        .contains("whenEmpty");
  }

  @Test
  void whenEmptyJudgesTheAssumedValue() {
    prom.answer(RATIO, vector());

    CheckResult zero = check(PrometheusCheck.query(prom.base(), RATIO).below(0.1).whenEmpty(0));
    CheckResult one = check(PrometheusCheck.query(prom.base(), RATIO).below(0.1).whenEmpty(1));

    assertThat(zero.passed()).isTrue();
    assertThat(zero.detail()).isEqualTo("query returned no samples, assumed value 0 < threshold 0.1");
    assertThat(one.passed()).isFalse();
    assertThat(one.detail()).isEqualTo("query returned no samples, assumed value 1 >= threshold 0.1");
  }

  @Test
  void whenEmptyDoesNotApplyToAnAnswerWithSamples() {
    prom.answer(RATIO, scalar("0.5"));

    assertThat(check(PrometheusCheck.query(prom.base(), RATIO).below(0.1).whenEmpty(0)).passed()).isFalse();
  }

  @Test
  void nanFailsEveryThreshold() {
    prom.answer(RATIO, scalar("NaN"));
    PrometheusCheck.Query q = PrometheusCheck.query(prom.base(), RATIO);

    for (PrometheusCheck c : new PrometheusCheck[] {q.below(1), q.atMost(1), q.above(0), q.atLeast(0)}) {
      CheckResult r = check(c);
      assertThat(r.passed()).as(c.describe()).isFalse();
      assertThat(r.detail()).startsWith("value NaN is not ");
    }
    assertThat(check(q.below(0.1)).detail()).isEqualTo("value NaN is not < threshold 0.1");
  }

  @Test
  void nanInOneSeriesFailsThatSeries() {
    prom.answer(RATIO, vector(sample("\"job\":\"a\"", "0.01"), sample("\"job\":\"b\"", "NaN")));

    CheckResult r = check(PrometheusCheck.query(prom.base(), RATIO).below(0.1));

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("1 of 2 series fail: {job=\"b\"} value NaN is not < threshold 0.1");
  }

  @Test
  void infinitiesCompareAsNumbers() {
    prom.answer("inf", scalar("+Inf")).answer("neginf", scalar("-Inf"));

    assertThat(check(PrometheusCheck.query(prom.base(), "inf").below(1e9)).detail())
        .isEqualTo("value +Inf >= threshold 1000000000");
    assertThat(check(PrometheusCheck.query(prom.base(), "inf").above(1e9)).passed()).isTrue();
    assertThat(check(PrometheusCheck.query(prom.base(), "neginf").below(0)).passed()).isTrue();
  }

  @Test
  void prometheusErrorIsReportedWithErrorTypeAndMessage() {
    prom.answer("rate(x[", 400, error("bad_data", "1:8: parse error: unclosed left bracket"));

    CheckResult r = check(PrometheusCheck.query(prom.base(), "rate(x[").below(1));

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).contains("rejected query 'rate(x['").contains("HTTP 400")
        .contains("bad_data: 1:8: parse error: unclosed left bracket");
  }

  @Test
  void aRangeVectorIsRejectedWithAHint() {
    prom.answer("x[5m]", "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}");

    CheckResult r = check(PrometheusCheck.query(prom.base(), "x[5m]").below(1));

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).contains("range vector").contains("rate(");
  }

  @Test
  void theQueryReachesPrometheusUrlEncodedAndIntact() {
    String promql = "sum(rate(http_requests_total{code=~\"5..\", path!=\"/a&b\"}[1m])) / 2 + 1";
    prom.answer(promql, scalar("0"));

    CheckResult r = check(PrometheusCheck.query(prom.base(), promql).below(1));

    assertThat(r.passed()).as(r.detail()).isTrue();
    assertThat(prom.queries()).containsExactly(promql);
    assertThat(prom.server().requests().get(0).path()).isEqualTo("/api/v1/query");
    assertThat(prom.server().requests().get(0).method()).isEqualTo("GET");
  }

  @Test
  void aBasePathPrefixIsKept() {
    try (FakePrometheus prefixed = new FakePrometheus("/prometheus")) {
      prefixed.answer("up", scalar("1"));

      CheckResult r = check(PrometheusCheck.query(prefixed.base() + "/prometheus/", "up").atLeast(1));

      assertThat(r.passed()).as(r.detail()).isTrue();
      assertThat(prefixed.server().requests().get(0).path()).isEqualTo("/prometheus/api/v1/query");
    }
  }

  @Test
  void bearerTokenIsSentAndNeverPrinted() {
    prom.answer("up", scalar("0"));
    PrometheusCheck c = PrometheusCheck.query(prom.base(), "up").atLeast(1).bearerToken(Secret.of("tok-123"));

    CheckResult r = check(c);

    assertThat(prom.server().requests().get(0).headers().getFirst("Authorization")).isEqualTo("Bearer tok-123");
    assertThat(r.passed()).isFalse();
    assertThat(c.describe() + r.detail() + c).doesNotContain("tok-123");
  }

  @Test
  void unauthorizedSaysCredentialsAreNeeded() {
    try (LocalHttpServer s = LocalHttpServer.start()) {
      s.route("/api/v1/query", LocalHttpServer.respond(401, "Unauthorized"));

      CheckResult r = check(PrometheusCheck.query(s.uri(""), "up").atLeast(1));

      assertThat(r.passed()).isFalse();
      assertThat(r.detail()).contains("HTTP 401").contains("bearerToken");
    }
  }

  @Test
  void somethingThatIsNotPrometheusIsCalledOut() {
    try (LocalHttpServer s = LocalHttpServer.start()) {
      s.route("/", LocalHttpServer.respond(404, "404 page not found"));

      CheckResult r = check(PrometheusCheck.query(s.uri(""), "up").atLeast(1));

      assertThat(r.passed()).isFalse();
      assertThat(r.detail()).startsWith("HTTP 404 from http://127.0.0.1:" + s.port() + "/api/v1/query")
          .contains("not a Prometheus API answer").contains("body: \"404 page not found\"");
    }
  }

  @Test
  void unreachablePrometheusFailsTheAttempt() {
    int port = LocalHttpServer.closedPort();

    CheckResult r = check(PrometheusCheck.query("http://127.0.0.1:" + port, "up").atLeast(1));

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("cannot query Prometheus at http://127.0.0.1:" + port
        + ": connection refused by 127.0.0.1:" + port);
  }

  @Test
  void aSlowPrometheusFailsAtTheTimeout() {
    prom.server().route("/slow/api/v1/query", prom.server().hang());

    CheckResult r = check(PrometheusCheck.query(prom.base() + "/slow", "up").atLeast(1)
        .timeout(Duration.ofMillis(300)));

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).endsWith("no response within 300 ms");
  }

  @Test
  void describeNamesQueryThresholdAndServer() {
    PrometheusCheck c = PrometheusCheck.query("http://127.0.0.1:9090", "error_ratio").below(0.1);

    assertThat(c.describe()).isEqualTo("Prometheus query 'error_ratio' < 0.1 at http://127.0.0.1:9090");
    assertThat(c.whenEmpty(0).describe()).endsWith("(no samples counts as 0)");
    assertThat(c.assumedWhenEmpty()).isEmpty();
  }

  @Test
  void argumentsAreCheckedAtOnce() {
    assertThatThrownBy(() -> PrometheusCheck.query("127.0.0.1:9090", "up"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PrometheusCheck.query("http://h:9090", " ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PrometheusCheck.query("http://h:9090", "up").below(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
