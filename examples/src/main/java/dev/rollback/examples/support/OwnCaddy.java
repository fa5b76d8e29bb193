package dev.rollback.examples.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A server of the example's own inside the running Caddy, added through its admin API under
 * {@code apps.http.servers.<name>} and removed again at close: listens on a loopback port and reverse-proxies to
 * one upstream through a handler whose {@code @id} is {@code <name>-upstream} (what
 * {@link dev.rollback.docker.CaddyAdminSwitch} patches). Seed 004's Caddyfile, without touching anyone else's
 * servers.
 */
public final class OwnCaddy implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final URI admin;
  private final String server;
  /** The handler's @id. */
  public final String handlerId;
  /** The listen port on 127.0.0.1. */
  public final int port;

  private OwnCaddy(URI admin, String server, int port) {
    this.admin = admin;
    this.server = server;
    this.handlerId = server + "-upstream";
    this.port = port;
  }

  /**
   * Adds the server.
   *
   * @param admin Caddy's admin API (env.properties' {@code caddy.admin})
   * @param server its name (rbseed-...)
   * @param port its listen port on 127.0.0.1
   * @param upstream the first upstream, host:port
   * @return the server, answering
   */
  public static OwnCaddy start(URI admin, String server, int port, String upstream) {
    OwnCaddy c = new OwnCaddy(admin, server, port);
    if ("null".equals(c.send("GET", "/config/apps", null).strip())) {
      c.ok("PUT", "/config/apps", "{\"http\":{\"servers\":{}}}");
    } else if ("null".equals(c.send("GET", "/config/apps/http", null).strip())) {
      c.ok("PUT", "/config/apps/http", "{\"servers\":{}}");
    } else if ("null".equals(c.send("GET", "/config/apps/http/servers", null).strip())) {
      c.ok("PUT", "/config/apps/http/servers", "{}");
    }
    c.send("DELETE", "/config/apps/http/servers/" + server, null);
    c.ok("PUT", "/config/apps/http/servers/" + server, "{\"listen\":[\"127.0.0.1:" + port + "\"],"
        + "\"automatic_https\":{\"disable\":true},"
        + "\"routes\":[{\"handle\":[{\"handler\":\"reverse_proxy\",\"@id\":\"" + c.handlerId + "\","
        + "\"upstreams\":[{\"dial\":\"" + upstream + "\"}]}]}]}");
    Web.await("caddy listening on " + port, Duration.ofSeconds(10), () -> Web.status(c.url("/")) != -1);
    return c;
  }

  /** @param path e.g. /health @return the URL through Caddy */
  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private void ok(String method, String path, String body) {
    String r = send(method, path, body);
    if (r.startsWith("ERROR")) {
      throw new IllegalStateException("Caddy admin " + method + " " + path + ": " + r);
    }
  }

  private String send(String method, String path, String body) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(admin.resolve(path)).timeout(Duration.ofSeconds(5))
          .header("Content-Type", "application/json")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body))
          .build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() / 100 == 2 ? r.body() : "ERROR " + r.statusCode() + " " + r.body();
    } catch (IOException e) {
      throw new IllegalStateException("Caddy admin " + admin + " unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Removes the server from Caddy's config. */
  @Override
  public void close() {
    send("DELETE", "/config/apps/http/servers/" + server, null);
  }
}
