package dev.rollback.verify;

import static dev.rollback.verify.FakePrometheus.error;
import static dev.rollback.verify.FakePrometheus.sample;
import static dev.rollback.verify.FakePrometheus.scalar;
import static dev.rollback.verify.FakePrometheus.vector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PrometheusClientTest {
  private final FakePrometheus prom = new FakePrometheus();
  private final PrometheusClient client = PrometheusClient.at(prom.base());

  @AfterEach
  void stop() {
    prom.close();
  }

  @Test
  void queryReturnsEverySampleWithLabelsValueAndTime() {
    prom.answer("req", vector(sample("\"__name__\":\"req\",\"code\":\"500\"", "12.5"), sample("\"code\":\"200\"",
        "+Inf")));

    List<PrometheusClient.Sample> samples = client.query("req");

    assertThat(samples).hasSize(2);
    assertThat(samples.get(0).labels()).isEqualTo(Map.of("__name__", "req", "code", "500"));
    assertThat(samples.get(0).value()).isEqualTo(12.5);
    assertThat(samples.get(0).timestamp()).isEqualTo(Instant.ofEpochMilli(1700000000123L));
    assertThat(samples.get(0).series()).isEqualTo("req{code=\"500\"}");
    assertThat(samples.get(1).value()).isInfinite().isPositive();
    assertThat(samples.get(1).series()).isEqualTo("{code=\"200\"}");
  }

  @Test
  void valueReadsAScalarOrASingleSeries() {
    prom.answer("s", scalar("-Inf")).answer("v", vector(sample("", "0.25"))).answer("n", scalar("NaN"));

    assertThat(client.value("s")).isInfinite().isNegative();
    assertThat(client.value("v")).isEqualTo(0.25);
    assertThat(client.value("n")).isNaN();
  }

  @Test
  void valueOfAnEmptyAnswerThrowsNamingTheQuery() {
    prom.answer("missing_metric", vector());

    assertThatThrownBy(() -> client.value("missing_metric")).isInstanceOf(PrometheusException.class)
        .hasMessageContaining("query 'missing_metric'").hasMessageContaining("returned no samples");
  }

  @Test
  void valueOfSeveralSeriesThrowsListingThem() {
    prom.answer("req", vector(sample("\"code\":\"500\"", "1"), sample("\"code\":\"200\"", "2")));

    assertThatThrownBy(() -> client.value("req")).isInstanceOf(PrometheusException.class)
        .hasMessageContaining("returned 2 series ({code=\"500\"}, {code=\"200\"})").hasMessageContaining("sum(");
  }

  @Test
  void anErrorAnswerCarriesItsErrorType() {
    prom.answer("slow", 503, error("timeout", "query timed out in expression evaluation"));

    assertThatThrownBy(() -> client.query("slow")).isInstanceOfSatisfying(PrometheusException.class, e -> {
      assertThat(e.errorType()).contains("timeout");
      assertThat(e.getMessage()).contains("HTTP 503").contains("timeout: query timed out in expression evaluation");
    });
  }

  @Test
  void aSampleThatIsNotANumberIsCalledOut() {
    prom.answer("bad", scalar("lots"));

    assertThatThrownBy(() -> client.query("bad")).isInstanceOf(PrometheusException.class)
        .hasMessageContaining("not a number: 'lots'");
  }

  @Test
  void aStringResultIsRejected() {
    prom.answer("\"x\"", "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"x\"]}}");

    assertThatThrownBy(() -> client.query("\"x\"")).isInstanceOf(PrometheusException.class)
        .hasMessageContaining("returned a string");
  }

  @Test
  void settingsReturnCopies() {
    PrometheusClient slow = client.timeout(java.time.Duration.ofSeconds(30));

    assertThat(client.timeout()).hasSeconds(5);
    assertThat(slow.timeout()).hasSeconds(30);
    assertThat(slow.base()).isEqualTo(prom.base());
  }
}
