package dev.rollback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.rollback.RollbackContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * Switches a Caddy {@code reverse_proxy} handler's upstreams through Caddy's admin API: the handler carries an
 * {@code "@id"} in Caddy's JSON config, and the switch {@code PATCH}es {@code /id/<id>/upstreams} with
 * {@code [{"dial": "host:port"}]}, then reads the config back to confirm Caddy holds exactly that. Caddy applies a
 * config change atomically and gracefully (in-flight requests finish on the old upstream).
 *
 * <p>When the admin API is unreachable or refuses the change, nothing changed and a
 * {@link TrafficSwitchException} says so. Defaults: admin API {@code http://localhost:2019}, request timeout 5 s.
 * Immutable and thread-safe.
 */
public final class CaddyAdminSwitch implements TrafficSwitch {
  /** Caddy's default admin address. */
  public static final URI DEFAULT_ADMIN = URI.create("http://localhost:2019");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI admin;
  private final String handlerId;
  private final Duration timeout;
  private final HttpClient http;

  private CaddyAdminSwitch(URI admin, String handlerId, Duration timeout) {
    this.admin = admin;
    this.handlerId = handlerId;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * A switch for the handler with this {@code @id}, through the admin API at {@link #DEFAULT_ADMIN}.
   *
   * @param handlerId the reverse_proxy handler's {@code "@id"}
   * @return the switch
   */
  public static CaddyAdminSwitch of(String handlerId) {
    return of(DEFAULT_ADMIN, handlerId);
  }

  /**
   * A switch for the handler with this {@code @id}.
   *
   * @param admin the admin API, e.g. {@code http://localhost:2019}
   * @param handlerId the reverse_proxy handler's {@code "@id"}
   * @return the switch
   */
  public static CaddyAdminSwitch of(URI admin, String handlerId) {
    Objects.requireNonNull(admin, "admin");
    if (handlerId == null || !handlerId.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("not a Caddy @id: '" + handlerId + "'");
    }
    return new CaddyAdminSwitch(admin, handlerId, Duration.ofSeconds(5));
  }

  /**
   * @param timeout connect and request timeout; default 5 s
   * @return a copy
   */
  public CaddyAdminSwitch timeout(Duration timeout) {
    return new CaddyAdminSwitch(admin, handlerId, Objects.requireNonNull(timeout, "timeout"));
  }

  @Override
  public String describe() {
    return "Caddy reverse_proxy @id " + handlerId + " via " + admin;
  }

  @Override
  public String current(RollbackContext ctx) {
    JsonNode ups = upstreams();
    if (!ups.isArray() || ups.isEmpty() || !ups.get(0).hasNonNull("dial")) {
      throw new TrafficSwitchException("Caddy handler @id " + handlerId + " at " + admin
          + " has no upstream with a dial address (found " + ups + ")");
    }
    return ups.get(0).get("dial").asText();
  }

  @Override
  public void switchTo(RollbackContext ctx, String upstream) {
    Objects.requireNonNull(upstream, "upstream");
    ArrayNode body = JSON.createArrayNode();
    body.addObject().put("dial", upstream);
    String path = "/id/" + handlerId + "/upstreams";
    if (ctx.dryRun()) {
      ctx.action("would PATCH " + admin.resolve(path) + " with " + body);
      return;
    }
    ctx.action("PATCH " + admin.resolve(path) + " with " + body);
    HttpResponse<String> r = send("PATCH", path, body.toString());
    if (r.statusCode() / 100 != 2) {
      throw new TrafficSwitchException("Caddy at " + admin + " refused to set the upstreams of @id " + handlerId
          + " to " + upstream + " (HTTP " + r.statusCode() + "): " + r.body().strip()
          + "; Caddy keeps its old config");
    }
    JsonNode now = upstreams();
    if (!body.equals(now)) {
      throw new TrafficSwitchException("Caddy at " + admin + " accepted the upstream " + upstream + " for @id "
          + handlerId + " but reads back " + now + "; check its config (GET " + admin.resolve(path) + ")");
    }
    ctx.action("Caddy @id " + handlerId + " reads back " + now);
  }

  private JsonNode upstreams() {
    String path = "/id/" + handlerId + "/upstreams";
    HttpResponse<String> r = send("GET", path, null);
    if (r.statusCode() != 200) {
      throw new TrafficSwitchException("Caddy at " + admin + " has no handler @id " + handlerId + " (GET " + path
          + " answered HTTP " + r.statusCode() + ": " + r.body().strip() + "); give the reverse_proxy handler "
          + "\"@id\": \"" + handlerId + "\"");
    }
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new TrafficSwitchException("Caddy at " + admin + " answered GET " + path + " with non-JSON: " + r.body());
    }
  }

  private HttpResponse<String> send(String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(admin.resolve(path)).timeout(timeout)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new TrafficSwitchException("Caddy admin API at " + admin + " is unreachable (" + method + " " + path + ": "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); nothing was changed: "
          + "start Caddy or give the right admin address", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TrafficSwitchException("interrupted while calling Caddy's admin API at " + admin, e);
    }
  }
}
