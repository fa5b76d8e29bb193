package dev.rollback.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server (the JDK's) on 127.0.0.1 and an ephemeral port, for checks to talk to. Records every request
 * it receives. Handlers run on a pool, so a handler that blocks does not stall the others.
 */
public final class LocalHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closing = new CountDownLatch(1);

  /**
   * A request as the server saw it.
   *
   * @param method the method
   * @param path the decoded path
   * @param rawQuery the raw (still encoded) query, or null
   * @param headers the request headers
   * @param body the body as UTF-8
   */
  public record Request(String method, String path, String rawQuery, Headers headers, String body) {}

  private LocalHttpServer(HttpServer server) {
    this.server = server;
    server.setExecutor(pool);
  }

  /** @return a started server with no routes (every path answers 404) */
  public static LocalHttpServer start() {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
      LocalHttpServer l = new LocalHttpServer(s);
      s.start();
      return l;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start a local HTTP server: " + e.getMessage(), e);
    }
  }

  /**
   * Serves a path (and everything below it) with a handler; requests are recorded before the handler runs.
   *
   * @param path e.g. {@code /health}
   * @param handler the handler
   * @return this
   */
  public LocalHttpServer route(String path, HttpHandler handler) {
    server.createContext(path, ex -> {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(),
          ex.getRequestURI().getRawQuery(), ex.getRequestHeaders(), new String(body, StandardCharsets.UTF_8)));
      ex.setStreams(new ByteArrayInputStream(body), null); // the handler can still read the body
      try {
        handler.handle(ex);
      } finally {
        ex.close();
      }
    });
    return this;
  }

  /**
   * A handler answering with a status, a body and headers.
   *
   * @param status the status
   * @param body the body (UTF-8)
   * @param headers name, value, name, value, ...
   * @return the handler
   */
  public static HttpHandler respond(int status, String body, String... headers) {
    return ex -> send(ex, status, body, headers);
  }

  /**
   * Writes a response.
   *
   * @param ex the exchange
   * @param status the status
   * @param body the body (UTF-8)
   * @param headers name, value, name, value, ...
   * @throws IOException when the client went away
   */
  public static void send(HttpExchange ex, int status, String body, String... headers) throws IOException {
    for (int i = 0; i + 1 < headers.length; i += 2) {
      ex.getResponseHeaders().add(headers[i], headers[i + 1]);
    }
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    boolean noBody = b.length == 0 || "HEAD".equals(ex.getRequestMethod()) || status == 204;
    ex.sendResponseHeaders(status, noBody ? -1 : b.length);
    if (!noBody) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(b);
      }
    }
  }

  /**
   * A handler that never answers until the server closes (at most 30 s): a server slower than any check's
   * timeout.
   *
   * @return the handler
   */
  public HttpHandler hang() {
    return ex -> {
      try {
        closing.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  /**
   * @param pathAndQuery e.g. {@code /health?x=1}
   * @return the URI of a path on this server
   */
  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  /** @return the port */
  public int port() {
    return server.getAddress().getPort();
  }

  /** @return every request received so far */
  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /**
   * A port on 127.0.0.1 where nothing listens: bound, then closed.
   *
   * @return the port
   */
  public static int closedPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
