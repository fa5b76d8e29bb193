package dev.rollback.verify;

import dev.rollback.RollbackContext;
import dev.rollback.exec.Secret;
import dev.rollback.internal.Text;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Runs a Prometheus instant query per attempt and compares the answer with a threshold.
 *
 * <pre>{@code
 * PrometheusCheck.query("http://127.0.0.1:9090",
 *         "sum(rate(http_requests_total{code=~\"5..\"}[1m])) / sum(rate(http_requests_total[1m]))")
 *     .below(0.05)
 * }</pre>
 *
 * <p>{@link #query(URI, String)} returns a {@link Query}, which becomes a check once it has a threshold
 * ({@link Query#below}, {@link Query#atMost}, {@link Query#above}, {@link Query#atLeast}). Immutable and
 * thread-safe.
 *
 * <p>How answers are judged:
 * <ul>
 *   <li>a scalar: its value must keep the threshold;
 *   <li>an instant vector: every sample must keep it; the detail of a failure lists each offending series with its
 *       labels and value ({@code http_requests_total{code="500"} value 0.31 >= threshold 0.1});
 *   <li>no samples: the attempt fails with {@code query returned no samples}, unless {@link #whenEmpty(double)}
 *       names a value to assume (often {@code 0}: a 5xx rate with no 5xx series);
 *   <li>NaN (e.g. {@code 0/0}, a ratio over no traffic) keeps no threshold, so it fails: when no traffic should
 *       count as healthy, write the query so it has no sample then and use {@code whenEmpty}, or add
 *       {@code or vector(0)};
 *   <li>{@code +Inf} and {@code -Inf} compare as numbers;
 *   <li>an error answer (HTTP 400/422/503 with {@code "status":"error"}), an unreachable server or a range vector
 *       fails the attempt with Prometheus's {@code errorType} and {@code error} or the reason.
 * </ul>
 * The detail always says the value seen against the threshold, e.g. {@code value 0.31 >= threshold 0.1}.
 *
 * <p>Defaults: no authentication, 5 s per attempt, no assumed value for an empty answer.
 */
public final class PrometheusCheck implements Check {
  private static final int LISTED = 5;
  private final PrometheusClient client;
  private final String promql;
  private final Threshold threshold;
  private final Double whenEmpty;

  private PrometheusCheck(PrometheusClient client, String promql, Threshold threshold, Double whenEmpty) {
    this.client = client;
    this.promql = promql;
    this.threshold = threshold;
    this.whenEmpty = whenEmpty;
  }

  /**
   * A query against the Prometheus server at a base URL; give it a threshold to make it a check.
   *
   * @param base e.g. {@code http://127.0.0.1:9090}
   * @param promql the PromQL expression, evaluated as an instant query
   * @return the query
   * @throws IllegalArgumentException when the base is not an absolute http(s) URL or the query is blank
   */
  public static Query query(URI base, String promql) {
    return query(PrometheusClient.at(base), promql);
  }

  /**
   * A query against the Prometheus server at a base URL.
   *
   * @param base e.g. {@code http://127.0.0.1:9090}
   * @param promql the PromQL expression
   * @return the query
   * @throws IllegalArgumentException when the base is not an absolute http(s) URL or the query is blank
   */
  public static Query query(String base, String promql) {
    return query(PrometheusClient.at(base), promql);
  }

  /**
   * A query through a configured client (token, timeout).
   *
   * @param client the client
   * @param promql the PromQL expression
   * @return the query
   * @throws IllegalArgumentException when the query is blank
   */
  public static Query query(PrometheusClient client, String promql) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(promql, "promql");
    if (promql.isBlank()) {
      throw new IllegalArgumentException("PrometheusCheck needs a PromQL query, got a blank one");
    }
    return new Query(client, promql);
  }

  /** A query without a threshold yet; each threshold method returns the check. Immutable. */
  public static final class Query {
    private final PrometheusClient client;
    private final String promql;

    private Query(PrometheusClient client, String promql) {
      this.client = client;
      this.promql = promql;
    }

    /**
     * Passes when every value is strictly below a limit.
     *
     * @param limit the limit, not NaN
     * @return the check
     */
    public PrometheusCheck below(double limit) {
      return threshold(Threshold.below(limit));
    }

    /**
     * Passes when every value is at or below a limit.
     *
     * @param limit the limit, not NaN
     * @return the check
     */
    public PrometheusCheck atMost(double limit) {
      return threshold(Threshold.atMost(limit));
    }

    /**
     * Passes when every value is strictly above a limit.
     *
     * @param limit the limit, not NaN
     * @return the check
     */
    public PrometheusCheck above(double limit) {
      return threshold(Threshold.above(limit));
    }

    /**
     * Passes when every value is at or above a limit.
     *
     * @param limit the limit, not NaN
     * @return the check
     */
    public PrometheusCheck atLeast(double limit) {
      return threshold(Threshold.atLeast(limit));
    }

    /**
     * Passes when every value keeps a threshold.
     *
     * @param threshold the threshold
     * @return the check
     */
    public PrometheusCheck threshold(Threshold threshold) {
      return new PrometheusCheck(client, promql, Objects.requireNonNull(threshold, "threshold"), null);
    }
  }

  /**
   * Assumes a value when the query returns no samples, instead of failing.
   *
   * @param assumedValue the value judged in place of the missing samples, e.g. {@code 0}; default none (an empty
   *     answer fails)
   * @return a copy
   */
  public PrometheusCheck whenEmpty(double assumedValue) {
    return new PrometheusCheck(client, promql, threshold, assumedValue);
  }

  /**
   * Sends a bearer token with every query; it is never printed.
   *
   * @param token the token; default none
   * @return a copy
   */
  public PrometheusCheck bearerToken(Secret token) {
    return new PrometheusCheck(client.bearerToken(token), promql, threshold, whenEmpty);
  }

  /**
   * Bounds each attempt.
   *
   * @param timeout a positive duration; default 5 s
   * @return a copy
   */
  public PrometheusCheck timeout(Duration timeout) {
    return new PrometheusCheck(client.timeout(timeout), promql, threshold, whenEmpty);
  }

  /** @return the client that runs the query */
  public PrometheusClient client() {
    return client;
  }

  /** @return the PromQL expression */
  public String promql() {
    return promql;
  }

  /** @return the threshold */
  public Threshold threshold() {
    return threshold;
  }

  /** @return the value assumed for an empty answer, if any */
  public OptionalDouble assumedWhenEmpty() {
    return whenEmpty == null ? OptionalDouble.empty() : OptionalDouble.of(whenEmpty);
  }

  /** {@code Prometheus query 'error_ratio' < 0.1 at http://127.0.0.1:9090}. */
  @Override
  public String describe() {
    return "Prometheus query '" + promql + "' " + threshold + " at " + client.base()
        + (whenEmpty == null ? "" : " (no samples counts as " + Text.number(whenEmpty) + ")");
  }

  /** {@link #describe()}. */
  @Override
  public String toString() {
    return describe();
  }

  /**
   * Runs the query once and judges the answer.
   *
   * @param ctx the context (not used)
   * @return passed when every sample keeps the threshold; the detail says the value seen against the threshold
   */
  @Override
  public CheckResult check(RollbackContext ctx) {
    List<PrometheusClient.Sample> samples;
    try {
      samples = client.query(promql);
    } catch (PrometheusException e) {
      return CheckResult.fail(e.getMessage());
    }
    if (samples.isEmpty()) {
      if (whenEmpty == null) {
        return CheckResult.fail("query returned no samples, so no value to compare with threshold " + threshold
            + "; if no samples means healthy, use whenEmpty(0) or add 'or vector(0)' to the query");
      }
      String verdict = "query returned no samples, assumed " + threshold.explain(whenEmpty);
      return threshold.test(whenEmpty) ? CheckResult.pass(verdict) : CheckResult.fail(verdict);
    }
    List<PrometheusClient.Sample> offending = new ArrayList<>();
    double worst = samples.get(0).value();
    for (PrometheusClient.Sample s : samples) {
      worst = threshold.worse(worst, s.value());
      if (!threshold.test(s.value())) {
        offending.add(s);
      }
    }
    if (samples.size() == 1) {
      PrometheusClient.Sample s = samples.get(0);
      String line = label(s) + threshold.explain(s.value());
      return offending.isEmpty() ? CheckResult.pass(line) : CheckResult.fail(line);
    }
    if (offending.isEmpty()) {
      return CheckResult.pass(samples.size() + " series, worst " + threshold.explain(worst));
    }
    StringBuilder sb = new StringBuilder().append(offending.size()).append(" of ").append(samples.size())
        .append(" series fail: ");
    for (int i = 0; i < Math.min(LISTED, offending.size()); i++) {
      PrometheusClient.Sample s = offending.get(i);
      sb.append(i == 0 ? "" : "; ").append(label(s)).append(threshold.explain(s.value()));
    }
    if (offending.size() > LISTED) {
      sb.append("; and ").append(offending.size() - LISTED).append(" more");
    }
    return CheckResult.fail(sb.toString());
  }

  private static String label(PrometheusClient.Sample s) {
    String series = s.series();
    return series.equals("{}") ? "" : series + " ";
  }
}
