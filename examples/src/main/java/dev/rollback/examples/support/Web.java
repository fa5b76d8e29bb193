package dev.rollback.examples.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** One-shot HTTP GETs and a poll with a deadline, for setting up and asserting; never a fixed sleep. */
public final class Web {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private Web() {}

  /** @param url a URL @return the status, or -1 when the connection failed */
  public static int status(String url) {
    HttpResponse<String> r = get(url);
    return r == null ? -1 : r.statusCode();
  }

  /** @param url a URL @return the body, or "" when the request failed */
  public static String body(String url) {
    HttpResponse<String> r = get(url);
    return r == null ? "" : r.body();
  }

  private static HttpResponse<String> get(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Polls every 50 ms until a condition holds.
   *
   * @param what for the error
   * @param deadline how long at most
   * @param cond the condition
   * @throws IllegalStateException when it does not hold in time
   */
  public static void await(String what, Duration deadline, BooleanSupplier cond) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("not within " + deadline.toMillis() + " ms: " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + what, e);
      }
    }
  }
}
