package dev.rollback.examples.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measures downtime as a user sees it: GETs one URL every 50 ms on its own thread and sums the time between a
 * failed answer (not 200, or none) and the next good one, and what each failure was. Loopback only; one
 * request at a time, over one keep-alive HTTP/1.1 client, as a browser would.
 */
public final class DowntimeProbe implements AutoCloseable {
  private final String url;
  private final Thread thread;
  private volatile boolean running = true;
  private long requests;
  private long failed;
  private long downNanos;
  private final Map<String, Integer> failures = new TreeMap<>();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private DowntimeProbe(String url) {
    this.url = url;
    this.thread = new Thread(this::loop, "downtime-probe");
    this.thread.setDaemon(true);
  }

  /** @param url what to GET @return the running probe */
  public static DowntimeProbe start(String url) {
    DowntimeProbe p = new DowntimeProbe(url);
    p.thread.start();
    return p;
  }

  private String get() {
    try {
      int status = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
      return status == 200 ? null : "HTTP " + status;
    } catch (IOException e) {
      return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void loop() {
    long downSince = -1;
    while (running) {
      String failure = get();
      boolean ok = failure == null;
      long now = System.nanoTime();
      synchronized (this) {
        requests++;
        if (!ok) {
          failed++;
          failures.merge(failure, 1, Integer::sum);
          if (downSince < 0) {
            downSince = now;
          }
        } else if (downSince >= 0) {
          downNanos += now - downSince;
          downSince = -1;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        break;
      }
    }
    if (downSince >= 0) {
      synchronized (this) {
        downNanos += System.nanoTime() - downSince;
      }
    }
  }

  /** @return requests sent so far */
  public synchronized long requests() {
    return requests;
  }

  /** @return requests that failed so far */
  public synchronized long failed() {
    return failed;
  }

  /** @return what the failed requests got (status or exception), with counts */
  public synchronized Map<String, Integer> failures() {
    return new TreeMap<>(failures);
  }

  /** @return the time between failed answers and the next good one, summed */
  public synchronized Duration downtime() {
    return Duration.ofNanos(downNanos);
  }

  /** Stops the probe (a streak of failures still open counts up to now). */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
