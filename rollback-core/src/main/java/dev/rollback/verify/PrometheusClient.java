package dev.rollback.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollback.exec.Secret;
import dev.rollback.exec.SecretMasker;
import dev.rollback.internal.Http;
import dev.rollback.internal.Json;
import dev.rollback.internal.Text;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads values from Prometheus through its HTTP API: instant queries, {@code GET {base}/api/v1/query?query=...}.
 * {@link PrometheusCheck} uses it for one attempt; a watchdog uses it to read a metric over time.
 *
 * <pre>{@code
 * PrometheusClient prom = PrometheusClient.at("http://127.0.0.1:9090");
 * double ratio = prom.value("sum(rate(http_requests_total{code=~\"5..\"}[1m])) / sum(rate(http_requests_total[1m]))");
 * }</pre>
 *
 * <p>Immutable and thread-safe. Defaults: no authentication, 5 s per query, evaluated at the server's current
 * time. Sample values keep Prometheus's special values: {@code NaN}, {@code +Inf} and {@code -Inf} become the
 * matching {@code double}.
 */
public final class PrometheusClient {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  private final URI base;
  private final Secret token;
  private final Duration timeout;

  /**
   * One sample of an instant query's answer.
   *
   * @param labels the series' labels ({@code __name__} included when Prometheus kept it), sorted by name; empty
   *     for a scalar result or an aggregation without {@code by}
   * @param value the sample's value; may be NaN or infinite
   * @param timestamp the evaluation time Prometheus reported
   */
  public record Sample(Map<String, String> labels, double value, Instant timestamp) {
    /**
     * Copies the labels, sorted by name.
     *
     * @param labels the series' labels
     * @param value the sample's value
     * @param timestamp the evaluation time
     */
    public Sample {
      labels = Collections.unmodifiableMap(new TreeMap<>(labels));
      Objects.requireNonNull(timestamp, "timestamp");
    }

    /** @return the series as Prometheus prints it: {@code http_requests_total{code="500", job="api"}}; {@code {}} for none */
    public String series() {
      String name = labels.getOrDefault("__name__", "");
      String rest = labels.entrySet().stream().filter(e -> !e.getKey().equals("__name__"))
          .map(e -> e.getKey() + "=" + Text.quote(e.getValue())).collect(Collectors.joining(", "));
      if (rest.isEmpty()) {
        return name.isEmpty() ? "{}" : name;
      }
      return name + "{" + rest + "}";
    }
  }

  private PrometheusClient(URI base, Secret token, Duration timeout) {
    this.base = base;
    this.token = token;
    this.timeout = timeout;
  }

  /**
   * A client for the Prometheus server at a base URL.
   *
   * @param base e.g. {@code http://127.0.0.1:9090}, or with a path prefix when Prometheus serves under one
   *     ({@code --web.route-prefix})
   * @return the client
   * @throws IllegalArgumentException when it is not an absolute http or https URL
   */
  public static PrometheusClient at(URI base) {
    Http.requireHttp(Objects.requireNonNull(base, "base"), "PrometheusClient");
    return new PrometheusClient(base, null, DEFAULT_TIMEOUT);
  }

  /**
   * A client for the Prometheus server at a base URL.
   *
   * @param base e.g. {@code http://127.0.0.1:9090}
   * @return the client
   * @throws IllegalArgumentException when it is not an absolute http or https URL
   */
  public static PrometheusClient at(String base) {
    return at(Http.parse(Objects.requireNonNull(base, "base"), "PrometheusClient"));
  }

  /**
   * Sends {@code Authorization: Bearer <token>} with every query (a reverse proxy in front of Prometheus, Grafana
   * Cloud, ...). The token is never printed.
   *
   * @param token the token; default none
   * @return a copy
   */
  public PrometheusClient bearerToken(Secret token) {
    return new PrometheusClient(base, Objects.requireNonNull(token, "token"), timeout);
  }

  /**
   * Bounds each query: connect, response and body together.
   *
   * @param timeout a positive duration; default 5 s
   * @return a copy
   */
  public PrometheusClient timeout(Duration timeout) {
    return new PrometheusClient(base, token, HttpCheck.positive(timeout));
  }

  /** @return the base URL */
  public URI base() {
    return base;
  }

  /** @return the per-query timeout */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Runs an instant query.
   *
   * @param promql the query, e.g. {@code rate(http_requests_total{code="500"}[1m])}
   * @return one sample per series of an instant vector (possibly none), or one unlabelled sample for a scalar
   * @throws PrometheusException when Prometheus is unreachable, rejects the query (the message carries its
   *     {@code errorType} and {@code error}), does not answer as the Prometheus API, or returns a range vector or
   *     a string
   */
  public List<Sample> query(String promql) {
    Objects.requireNonNull(promql, "promql");
    URI uri = queryUri(promql);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token.reveal());
    }
    Http.Response r;
    try {
      r = Http.send(b.build(), timeout, Http.MAX_BODY * 16);
    } catch (Http.Failure e) {
      throw new PrometheusException("cannot query Prometheus at " + base + ": " + mask(e.getMessage()), null, e);
    }
    if (r.truncated()) {
      throw new PrometheusException("query '" + promql + "' at " + base + " returned more than "
          + (Http.MAX_BODY * 16 >> 20) + " MiB; aggregate it (sum, max, topk) to fewer series", null, null);
    }
    JsonNode root = parse(r, uri);
    String status = root.path("status").asText();
    if ("error".equals(status)) {
      String type = root.path("errorType").asText("unknown");
      throw new PrometheusException("Prometheus at " + base + " rejected query '" + promql + "' (HTTP "
          + r.status() + "): " + type + ": " + mask(root.path("error").asText("no error message")), type, null);
    }
    if (!"success".equals(status)) {
      throw notPrometheus(r, uri, "its status is '" + status + "', neither success nor error");
    }
    JsonNode data = root.path("data");
    String type = data.path("resultType").asText();
    JsonNode result = data.path("result");
    switch (type) {
      case "vector": {
        List<Sample> out = new ArrayList<>();
        for (JsonNode s : result) {
          Map<String, String> labels = new TreeMap<>();
          for (Iterator<Map.Entry<String, JsonNode>> it = s.path("metric").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            labels.put(e.getKey(), e.getValue().asText());
          }
          out.add(sample(labels, s.path("value"), r, uri));
        }
        return List.copyOf(out);
      }
      case "scalar":
        return List.of(sample(Map.of(), result, r, uri));
      case "matrix":
        throw new PrometheusException("query '" + promql + "' returned a range vector (matrix), not an instant "
            + "value; drop the [range] selector or wrap it, e.g. in rate(...) or max_over_time(...)", null, null);
      case "string":
        throw new PrometheusException("query '" + promql + "' returned a string, not a number", null, null);
      default:
        throw notPrometheus(r, uri, "its resultType is '" + type + "'");
    }
  }

  /**
   * Runs an instant query that must yield exactly one number, e.g. a ratio aggregated with {@code sum(...)}.
   *
   * @param promql the query
   * @return the value; may be NaN (e.g. {@code 0/0} when there was no traffic) or infinite
   * @throws PrometheusException when the query fails as in {@link #query(String)}, returns no samples, or returns
   *     more than one series (the message lists them)
   */
  public double value(String promql) {
    List<Sample> samples = query(promql);
    if (samples.isEmpty()) {
      throw new PrometheusException("query '" + promql + "' at " + base + " returned no samples; check the metric "
          + "name and labels, or add 'or vector(0)' when no series means zero", null, null);
    }
    if (samples.size() > 1) {
      String series = samples.stream().limit(5).map(Sample::series).collect(Collectors.joining(", "));
      throw new PrometheusException("query '" + promql + "' returned " + samples.size() + " series (" + series
          + (samples.size() > 5 ? ", ..." : "") + "), not one value; aggregate them, e.g. with sum(...) or max(...)",
          null, null);
    }
    return samples.get(0).value();
  }

  /** {@code Prometheus at http://127.0.0.1:9090}. */
  @Override
  public String toString() {
    return "Prometheus at " + base;
  }

  private URI queryUri(String promql) {
    String b = base.toString();
    while (b.endsWith("/")) {
      b = b.substring(0, b.length() - 1);
    }
    return URI.create(b + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  private JsonNode parse(Http.Response r, URI uri) {
    if (r.status() == 401 || r.status() == 403) {
      throw new PrometheusException("Prometheus at " + base + " refused the query: HTTP " + r.status()
          + (token == null ? "; it wants credentials: set bearerToken(...)" : "; check the bearer token")
          + bodyPart(r), null, null);
    }
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw notPrometheus(r, uri, "its body is not JSON");
    }
    if (root == null || !root.isObject() || !root.has("status")) {
      throw notPrometheus(r, uri, "its body has no 'status' field");
    }
    return root;
  }

  private Sample sample(Map<String, String> labels, JsonNode pair, Http.Response r, URI uri) {
    if (!pair.isArray() || pair.size() != 2) {
      throw notPrometheus(r, uri, "a sample is not a [time, value] pair: " + Text.excerpt(pair.toString(), 80));
    }
    double ts = pair.get(0).asDouble();
    String v = pair.get(1).asText();
    double value;
    switch (v) {
      case "NaN":
        value = Double.NaN;
        break;
      case "+Inf":
      case "Inf":
        value = Double.POSITIVE_INFINITY;
        break;
      case "-Inf":
        value = Double.NEGATIVE_INFINITY;
        break;
      default:
        try {
          value = Double.parseDouble(v);
        } catch (NumberFormatException e) {
          throw notPrometheus(r, uri, "a sample value is not a number: '" + Text.excerpt(v, 40) + "'");
        }
    }
    return new Sample(labels, value, Instant.ofEpochMilli(Math.round(ts * 1000)));
  }

  private PrometheusException notPrometheus(Http.Response r, URI uri, String why) {
    return new PrometheusException("HTTP " + r.status() + " from " + uri.getScheme() + "://" + uri.getRawAuthority()
        + uri.getRawPath() + " is not a Prometheus API answer (" + why + "); is " + base
        + " the Prometheus base URL, e.g. http://127.0.0.1:9090?" + bodyPart(r), null, null);
  }

  private String bodyPart(Http.Response r) {
    String excerpt = Text.excerpt(mask(r.text()));
    return excerpt.isEmpty() ? "" : "; body: " + Text.quote(excerpt);
  }

  private String mask(String text) {
    return SecretMasker.defaults().withSecret(token).mask(text);
  }
}
