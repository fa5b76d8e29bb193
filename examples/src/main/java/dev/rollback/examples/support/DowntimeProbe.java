package dev.rollback.examples.support;

import java.time.Duration;

/**
 * Measures downtime as a user sees it: GETs one URL every 50 ms on its own thread and sums the time between a
 * failed answer (not 200, or none) and the next good one. Loopback only; one request at a time.
 */
public final class DowntimeProbe implements AutoCloseable {
  private final String url;
  private final Thread thread;
  private volatile boolean running = true;
  private long requests;
  private long failed;
  private long downNanos;

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

  private void loop() {
    long downSince = -1;
    while (running) {
      boolean ok = Web.status(url) == 200;
      long now = System.nanoTime();
      synchronized (this) {
        requests++;
        if (!ok) {
          failed++;
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
