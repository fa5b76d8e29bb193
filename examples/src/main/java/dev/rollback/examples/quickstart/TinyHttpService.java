package dev.rollback.examples.quickstart;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The quickstart's service: started from a release directory (resolved once, at start, as a real service would
 * load its code), it answers {@code GET /health} with the status in the release's {@code health} file and
 * {@code GET /} with its {@code version}. Arguments: port, release directory.
 */
public final class TinyHttpService {
  private TinyHttpService() {}

  /**
   * Runs the service until killed.
   *
   * @param args port and release directory
   * @throws IOException when it cannot read its release or bind
   */
  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    Path release = Path.of(args[1]).toRealPath();
    int health = Integer.parseInt(Files.readString(release.resolve("health")).strip());
    String version = Files.readString(release.resolve("version")).strip();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    server.createContext("/health", ex -> reply(ex, health, "{\"version\":\"" + version + "\",\"status\":" + health
        + "}"));
    server.createContext("/", ex -> reply(ex, 200, version + "\n"));
    server.start();
    System.out.println("serving " + version + " from " + release.getFileName() + " on 127.0.0.1:" + port);
  }

  private static void reply(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(b);
    }
  }
}
