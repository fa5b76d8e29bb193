package dev.rollback.verify;

import dev.rollback.testing.LocalHttpServer;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Prometheus's query API served by a real local HTTP server, answering canned JSON per query. */
final class FakePrometheus implements AutoCloseable {
  private final LocalHttpServer server = LocalHttpServer.start();
  private final Map<String, String[]> answers = new ConcurrentHashMap<>();

  FakePrometheus() {
    this("");
  }

  FakePrometheus(String prefix) {
    server.route(prefix + "/api/v1/query", ex -> {
      String promql = query(ex.getRequestURI().getRawQuery());
      String[] a = answers.get(promql);
      if (a == null) {
        LocalHttpServer.send(ex, 400, error("bad_data", "no canned answer for " + promql), "Content-Type",
            "application/json");
      } else {
        LocalHttpServer.send(ex, Integer.parseInt(a[0]), a[1], "Content-Type", "application/json");
      }
    });
  }

  /** Answers a query with HTTP 200 and a JSON body. */
  FakePrometheus answer(String promql, String json) {
    return answer(promql, 200, json);
  }

  FakePrometheus answer(String promql, int status, String json) {
    answers.put(promql, new String[] {Integer.toString(status), json});
    return this;
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  LocalHttpServer server() {
    return server;
  }

  /** The decoded {@code query} parameter of every request received. */
  List<String> queries() {
    return server.requests().stream().map(r -> query(r.rawQuery())).toList();
  }

  static String vector(String... series) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + String.join(",", series)
        + "]}}";
  }

  /** One vector sample: labels as {@code "code":"500"} JSON members, value as Prometheus writes it. */
  static String sample(String labels, String value) {
    return "{\"metric\":{" + labels + "},\"value\":[1700000000.123,\"" + value + "\"]}";
  }

  static String scalar(String value) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1700000000.123,\"" + value
        + "\"]}}";
  }

  static String error(String type, String message) {
    return "{\"status\":\"error\",\"errorType\":\"" + type + "\",\"error\":\"" + message.replace("\"", "\\\"")
        + "\"}";
  }

  private static String query(String rawQuery) {
    if (rawQuery == null) {
      return null;
    }
    for (String part : rawQuery.split("&")) {
      if (part.startsWith("query=")) {
        return URLDecoder.decode(part.substring(6), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  @Override
  public void close() {
    server.close();
  }
}
