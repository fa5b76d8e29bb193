package dev.rollback.examples.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stand-in for an app's request metrics: a loop GETs one URL (through the proxy) every 100 ms, counts the
 * answers by status, and serves them as {@code http_requests_total{app="...",code="..."}} on the port Prometheus
 * scrapes (env.properties' {@code prometheus.scrape_port}, every second). Status -1 (no answer) counts as 502.
 * Bounded: loopback only, one request at a time.
 */
public final class TrafficMetrics implements AutoCloseable {
  private final String app;
  private final String url;
  private final Map<Integer, Long> counts = new TreeMap<>();
  private final HttpServer server;
  private final Thread loop;
  private volatile boolean running = true;

  private TrafficMetrics(String app, String url, int scrapePort) {
    this.app = app;
    this.url = url;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", scrapePort), 10);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on 127.0.0.1:" + scrapePort + " (" + e.getMessage()
          + "); does another test serve Prometheus' scrape port now?", e);
    }
    server.createContext("/metrics", ex -> {
      byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    loop = new Thread(this::probe, "traffic-" + app);
    loop.setDaemon(true);
  }

  /**
   * Starts serving metrics and probing.
   *
   * @param app the {@code app} label
   * @param url what the loop GETs
   * @param scrapePort the port Prometheus scrapes
   * @return the running metrics
   */
  public static TrafficMetrics start(String app, String url, int scrapePort) {
    TrafficMetrics m = new TrafficMetrics(app, url, scrapePort);
    m.server.start();
    m.loop.start();
    return m;
  }

  /**
   * @param window the rate window, e.g. 5s
   * @return the PromQL error ratio (answers other than 2xx) of this app over the window
   */
  public String errorRatioQuery(String window) {
    return "sum(rate(http_requests_total{app=\"" + app + "\",code!~\"2..\"}[" + window + "])) / "
        + "sum(rate(http_requests_total{app=\"" + app + "\"}[" + window + "]))";
  }

  private void probe() {
    while (running) {
      int status = Web.status(url);
      synchronized (counts) {
        counts.merge(status == -1 ? 502 : status, 1L, Long::sum);
      }
      try {
        Thread.sleep(Duration.ofMillis(100).toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private String scrape() {
    StringBuilder b = new StringBuilder("# TYPE http_requests_total counter\n");
    synchronized (counts) {
      counts.putIfAbsent(200, 0L);
      counts.putIfAbsent(500, 0L);
      counts.forEach((code, n) -> b.append("http_requests_total{app=\"").append(app).append("\",code=\"")
          .append(code).append("\"} ").append(n).append('\n'));
    }
    return b.toString();
  }

  /** Stops probing and serving. */
  @Override
  public void close() {
    running = false;
    loop.interrupt();
    server.stop(0);
  }
}
