package dev.rollback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A Docker Engine connection: a docker-java client over the zerodep transport (its HTTP client is shaded, so it
 * cannot clash with the host application's).
 *
 * <p>The API version is negotiated, never pinned: requests go without a version prefix and the daemon answers
 * with its own (1.41 on Engine 20.10); {@link #apiVersion()} says which. Every call made through
 * {@link #call(String, Supplier)} turns docker-java's exceptions into {@link DockerCallException}s that say what
 * was asked and what the daemon answered.
 *
 * <p>Thread-safe. {@link #close()} closes the connection pool.
 *
 * <pre>{@code
 * try (Docker docker = Docker.fromEnv()) {
 *   System.out.println(docker.describe()); // docker unix:///var/run/docker.sock (engine 20.10.24, API 1.41)
 * }
 * }</pre>
 */
public final class Docker implements AutoCloseable {
  /** The host used when DOCKER_HOST is not set. */
  public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI host;
  private final DockerHttpClient http;
  private final DockerClient client;

  private Docker(URI host) {
    this.host = host;
    DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(host.toString())
        .withDockerTlsVerify(false)
        .build();
    this.http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(host)
        .maxConnections(32)
        .connectionTimeout(Duration.ofSeconds(5))
        .responseTimeout(Duration.ofMinutes(5))
        .build();
    this.client = DockerClientImpl.getInstance(config, http);
  }

  /**
   * Connects to {@code $DOCKER_HOST}, or {@value #DEFAULT_HOST} when it is not set. TLS ({@code tcp://} with
   * certificates) is not configured here; use a unix socket or an SSH tunnel to one.
   *
   * @return the connection (lazy: nothing is sent until the first call)
   */
  public static Docker fromEnv() {
    String h = System.getenv("DOCKER_HOST");
    return at(URI.create(h == null || h.isBlank() ? DEFAULT_HOST : h.trim()));
  }

  /**
   * Connects to a daemon at a URI: {@code unix:///var/run/docker.sock} or {@code tcp://127.0.0.1:2375}.
   *
   * @param host the daemon's address
   * @return the connection (lazy)
   * @throws IllegalArgumentException when the scheme is neither {@code unix} nor {@code tcp}
   */
  public static Docker at(URI host) {
    Objects.requireNonNull(host, "host");
    if (!"unix".equals(host.getScheme()) && !"tcp".equals(host.getScheme())) {
      throw new IllegalArgumentException("not a Docker host: '" + host
          + "' (use unix:///path/to/docker.sock or tcp://host:port)");
    }
    return new Docker(host);
  }

  /**
   * Connects to a daemon's unix socket.
   *
   * @param socket e.g. {@code /var/run/docker.sock}
   * @return the connection (lazy)
   */
  public static Docker atSocket(Path socket) {
    return at(URI.create("unix://" + socket.toAbsolutePath()));
  }

  /** @return the docker-java client, for calls this SDK does not wrap */
  public DockerClient client() {
    return client;
  }

  /** @return the daemon's address */
  public URI host() {
    return host;
  }

  /**
   * Asks the daemon for its version.
   *
   * @return the daemon's version answer (engine version, API version)
   * @throws DockerCallException when the daemon does not answer
   */
  public Version version() {
    return call("read the daemon's version", () -> client.versionCmd().exec());
  }

  /** @return the API version the daemon speaks, which is what every request uses, e.g. {@code 1.41} */
  public String apiVersion() {
    return version().getApiVersion();
  }

  /** @return one line: {@code docker unix:///var/run/docker.sock}; does not contact the daemon */
  public String describe() {
    return "docker " + host;
  }

  /**
   * Runs a docker-java call, turning its exceptions into a {@link DockerCallException} that names the operation and
   * quotes the daemon's answer.
   *
   * @param operation what was asked, e.g. {@code create container api-rollback from app:release-2}
   * @param body the call
   * @param <T> its result
   * @return what the call returned
   * @throws DockerCallException when the daemon refused or could not be reached
   */
  public <T> T call(String operation, Supplier<T> body) {
    try {
      return body.get();
    } catch (DockerException e) {
      throw new DockerCallException(operation, e.getHttpStatus(), daemonMessage(e.getMessage()), e);
    } catch (DockerClientException | UncheckedIOException e) {
      throw new DockerCallException(operation, 0, "cannot reach the daemon at " + host + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (e.getCause() instanceof IOException) {
        throw new DockerCallException(operation, 0, "cannot reach the daemon at " + host + ": "
            + e.getCause().getMessage(), e);
      }
      throw e;
    }
  }

  /**
   * Runs a docker-java call that returns nothing; see {@link #call(String, Supplier)}.
   *
   * @param operation what was asked
   * @param body the call
   */
  public void run(String operation, Runnable body) {
    call(operation, () -> {
      body.run();
      return null;
    });
  }

  /**
   * Inspects a container, or answers empty when there is none by that name or id.
   *
   * @param nameOrId the container's name or id
   * @return the inspection, or empty
   */
  public Optional<InspectContainerResponse> findContainer(String nameOrId) {
    try {
      return Optional.of(call("inspect container " + nameOrId,
          () -> client.inspectContainerCmd(nameOrId).exec()));
    } catch (DockerCallException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Inspects a container that must exist.
   *
   * @param nameOrId the container's name or id
   * @return the inspection
   * @throws DockerCallException with status 404 when there is none
   */
  public InspectContainerResponse container(String nameOrId) {
    return call("inspect container " + nameOrId, () -> client.inspectContainerCmd(nameOrId).exec());
  }

  /**
   * Inspects an image, or answers empty when there is none.
   *
   * @param ref a reference ({@code app:release-2}) or an image id
   * @return the inspection, or empty
   */
  public Optional<InspectImageResponse> findImage(String ref) {
    try {
      return Optional.of(client.inspectImageCmd(ref).exec());
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (DockerException e) {
      throw new DockerCallException("inspect image " + ref, e.getHttpStatus(), daemonMessage(e.getMessage()), e);
    }
  }

  /**
   * Sends a raw request to the Engine API, for the few endpoints docker-java does not model (a swarm service's
   * rollback). The path carries no version prefix, so the daemon's own version answers.
   *
   * @param operation what was asked, for errors
   * @param method GET, POST, ...
   * @param path e.g. {@code /services/web}
   * @param body JSON to send, or null
   * @return the parsed JSON answer ({@code null} node when empty)
   * @throws DockerCallException when the daemon answers 4xx or 5xx
   */
  public JsonNode raw(String operation, DockerHttpClient.Request.Method method, String path, JsonNode body) {
    DockerHttpClient.Request.Builder b = DockerHttpClient.Request.builder().method(method).path(path)
        .putHeader("Content-Type", "application/json");
    if (body != null) {
      try {
        b.bodyBytes(JSON.writeValueAsBytes(body));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot write the request body: " + e.getMessage(), e);
      }
    }
    try (DockerHttpClient.Response r = http.execute(b.build()); InputStream in = r.getBody()) {
      String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (r.getStatusCode() >= 400) {
        throw new DockerCallException(operation, r.getStatusCode(), daemonMessage(text), null);
      }
      return text.isBlank() ? JSON.nullNode() : JSON.readTree(text);
    } catch (IOException | RuntimeException e) {
      if (e instanceof DockerCallException d) {
        throw d;
      }
      throw new DockerCallException(operation, 0, "cannot reach the daemon at " + host + ": " + e.getMessage(), e);
    }
  }

  /** Closes the connection pool. */
  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException ignored) {
      // closing a pool of idle connections
    }
  }

  /** Pulls {@code {"message":"..."}} out of a docker-java error text, else returns the text as is. */
  static String daemonMessage(String text) {
    if (text == null) {
      return "(no answer)";
    }
    int brace = text.indexOf('{');
    if (brace >= 0) {
      try {
        JsonNode n = JSON.readTree(text.substring(brace));
        if (n.hasNonNull("message")) {
          return n.get("message").asText();
        }
      } catch (IOException ignored) {
        // not JSON: keep the text
      }
    }
    return text.strip();
  }
}
