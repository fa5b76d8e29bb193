package dev.rollback.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP exchange for checks and the Prometheus client: bounded in time (connect, headers and body together)
 * and in the body bytes kept, with failures turned into one readable line.
 *
 * <p>One shared {@link HttpClient}: HTTP/1.1 (no h2c upgrade dance with small servers), redirects not followed,
 * no proxy. Its threads are daemons.
 */
public final class Http {
  /** Body bytes kept by default (1 MiB); the rest is not read. */
  public static final int MAX_BODY = 1 << 20;

  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();

  private Http() {}

  /**
   * What came back.
   *
   * @param status the HTTP status code
   * @param headers the response headers
   * @param body the first bytes of the body, at most the limit asked for
   * @param truncated true when the body was longer than the limit
   * @param took from sending the request to the end of the body (or the limit)
   */
  public record Response(int status, HttpHeaders headers, byte[] body, boolean truncated, Duration took) {
    /** @return the body as UTF-8 text */
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** The exchange did not produce a response; the message says why in one line. */
  public static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Sends a request and reads at most {@code maxBody} bytes of the body, all within {@code timeout}.
   *
   * @param request the request (its own timeout, if any, also applies)
   * @param timeout the bound on the whole exchange
   * @param maxBody body bytes kept
   * @return the response
   * @throws Failure when there is no response: {@code connection refused by 127.0.0.1:8080}, {@code no response
   *     within 5000 ms}, {@code cannot resolve host 'x'}, or the I/O error
   */
  public static Response send(HttpRequest request, Duration timeout, int maxBody) throws Failure {
    long start = System.nanoTime();
    CompletableFuture<HttpResponse<Bounded>> f = CLIENT.sendAsync(request, info -> new BoundedSubscriber(maxBody));
    try {
      HttpResponse<Bounded> r = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      return new Response(r.statusCode(), r.headers(), r.body().bytes, r.body().truncated, took);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new Failure("no response within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new Failure("interrupted while waiting for the response", e);
    } catch (ExecutionException e) {
      throw new Failure(describe(e.getCause(), request.uri(), timeout), e.getCause());
    }
  }

  /**
   * One line for an exchange's error.
   *
   * @param error the error
   * @param uri where the request went
   * @param timeout the exchange's bound
   * @return the line
   */
  static String describe(Throwable error, URI uri, Duration timeout) {
    String where = hostPort(uri);
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "cannot resolve host '" + uri.getHost() + "'";
      }
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof HttpTimeoutException) {
        return "no response within " + timeout.toMillis() + " ms";
      }
      if (t instanceof ConnectException) {
        // The JDK's HttpClient throws ConnectException with a null message when the port is closed.
        String m = t.getMessage();
        if (m == null || m.toLowerCase(java.util.Locale.ROOT).contains("refused")) {
          return "connection refused by " + where;
        }
        return "cannot connect to " + where + ": " + m;
      }
    }
    if (error instanceof IOException) {
      return "I/O error talking to " + where + ": " + error.getClass().getSimpleName()
          + (error.getMessage() == null ? "" : ": " + error.getMessage());
    }
    return error.getClass().getSimpleName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
  }

  /**
   * {@code host:port} of a URI, with the scheme's default port when it has none.
   *
   * @param uri an http or https URI
   * @return host and port
   */
  public static String hostPort(URI uri) {
    int port = uri.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
    return uri.getHost() + ":" + port;
  }

  /**
   * Checks that a URI is one a request can go to.
   *
   * @param uri the URI
   * @param what who asks, for the message
   * @return the URI
   * @throws IllegalArgumentException when it is not an absolute http or https URI with a host
   */
  public static URI requireHttp(URI uri, String what) {
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(what + " needs an absolute http:// or https:// URL with a host, got '"
          + uri + "'");
    }
    return uri;
  }

  /**
   * Parses a URL for a check.
   *
   * @param url the text
   * @param what who asks, for the message
   * @return the URI
   * @throws IllegalArgumentException when it is not an absolute http or https URL
   */
  public static URI parse(String url, String what) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(what + " got an invalid URL '" + url + "': " + e.getReason()
          + " at index " + e.getIndex(), e);
    }
    return requireHttp(uri, what);
  }

  private record Bounded(byte[] bytes, boolean truncated) {}

  /** Keeps the first bytes of a body and cancels the rest, so a huge or endless body cannot fill the heap. */
  private static final class BoundedSubscriber implements HttpResponse.BodySubscriber<Bounded> {
    private final int max;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final CompletableFuture<Bounded> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedSubscriber(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<Bounded> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        int room = max - buf.size();
        int n = b.remaining();
        byte[] chunk = new byte[Math.min(room, n)];
        b.get(chunk);
        buf.write(chunk, 0, chunk.length);
        if (n > room) {
          subscription.cancel();
          result.complete(new Bounded(buf.toByteArray(), true));
          return;
        }
      }
      subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(new Bounded(buf.toByteArray(), false));
    }
  }
}
