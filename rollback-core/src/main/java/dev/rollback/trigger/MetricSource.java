package dev.rollback.trigger;

import dev.rollback.RollbackContext;
import dev.rollback.verify.PrometheusClient;
import java.net.URI;
import java.util.Objects;

/** A number read on demand: a Prometheus query, a counter the caller keeps, a value from a command. */
public interface MetricSource {

  /**
   * Reads the current value.
   *
   * @param ctx the context
   * @return the value
   * @throws RuntimeException when it cannot be read; the watchdog counts that poll as unhealthy but not as above
   *     a threshold
   */
  double read(RollbackContext ctx);

  /** @return what is read, for reports */
  String describe();

  /**
   * A metric from a function.
   *
   * @param description what is read
   * @param reader reads it
   * @return the source
   */
  static MetricSource of(String description, java.util.function.ToDoubleFunction<RollbackContext> reader) {
    Objects.requireNonNull(reader, "reader");
    Objects.requireNonNull(description, "description");
    return new MetricSource() {
      @Override
      public double read(RollbackContext ctx) {
        return reader.applyAsDouble(ctx);
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }

  /**
   * A Prometheus instant query whose result is one number (a scalar, or a vector of one sample).
   *
   * @param prometheus the server's base URL, e.g. {@code http://127.0.0.1:9090}
   * @param promql the query, e.g. {@code sum(rate(http_requests_total{code=~"5.."}[1m])) / sum(rate(...))}
   * @return the source
   */
  static MetricSource prometheus(URI prometheus, String promql) {
    PrometheusClient client = PrometheusClient.at(prometheus);
    return of("prometheus " + promql, ctx -> client.value(promql));
  }
}
