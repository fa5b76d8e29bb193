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
import com.github.dockerjava.core.SSLConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Docker Engine connection: a docker-java client over the zerodep transport (its HTTP client is shaded, so it
 * cannot clash with the host application's).
 *
 * <p>The API version is negotiated, never pinned: requests go without a version prefix and the daemon answers
 * with its own (1.41 on Engine 20.10); {@link #apiVersion()} says which. Every call made through
 * {@link #call(String, Supplier)} turns docker-java's exceptions into {@link DockerCallException}s that say what
 * was asked and what the daemon answered.
 *
 * <p>Remote daemons over TLS: {@link #overTls(URI, Path)}, or {@link #fromEnv()} with {@code DOCKER_HOST=tcp://...},
 * {@code DOCKER_TLS_VERIFY} and {@code DOCKER_CERT_PATH}, as the docker CLI reads them.
 *
 * <p>Thread-safe. {@link #close()} closes the connection pool.
 *
 * <pre>{@code
 * try (Docker docker = Docker.fromEnv()) {
 *   System.out.println(docker.describe()); // docker unix:///var/run/docker.sock
 * }
 * try (Docker remote = Docker.overTls(URI.create("tcp://10.0.0.5:2376"), Path.of("/etc/deploy/docker-certs"))) {
 *   remote.version();                      // ca.pem, cert.pem, key.pem from that directory
 * }
 * }</pre>
 */
public final class Docker implements AutoCloseable {
  /** The host used when DOCKER_HOST is not set. */
  public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
  /** The port of a {@code tcp://} host that names none and uses TLS (the docker CLI's). */
  public static final int DEFAULT_TLS_PORT = 2376;
  /** The port of a {@code tcp://} host that names none and uses no TLS (the docker CLI's). */
  public static final int DEFAULT_PLAIN_PORT = 2375;

  private static final Logger LOG = LoggerFactory.getLogger(Docker.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI host;
  private final Path certPath;          // null without TLS
  private final boolean clientCert;     // cert.pem and key.pem are in certPath
  private final DockerHttpClient http;
  private final DockerClient client;

  private Docker(URI host, Path certPath) {
    this.host = host;
    this.certPath = certPath;
    this.clientCert = certPath != null && Files.exists(certPath.resolve("cert.pem"));
    DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(host.toString())
        .withDockerTlsVerify(certPath != null);
    if (certPath != null) {
      builder.withDockerCertPath(certPath.toString());
      if (!clientCert) {
        // docker-java's LocalDirectorySSLConfig wants all three files and otherwise answers no SSLContext at all,
        // which the transport takes for plain HTTP; the docker CLI verifies the server with ca.pem alone.
        builder.withCustomSslConfig(trustOnly(certPath.resolve("ca.pem")));
      }
    }
    DockerClientConfig config = builder.build();
    try {
      this.http = new ZerodepDockerHttpClient.Builder()
          .dockerHost(host)
          .sslConfig(config.getSSLConfig())
          .maxConnections(32)
          .connectionTimeout(Duration.ofSeconds(5))
          .responseTimeout(Duration.ofMinutes(5))
          .build();
    } catch (RuntimeException e) {
      // the transport builds its SSLContext here: unreadable or malformed PEM files
      throw new IllegalArgumentException("cannot use the TLS certificates in " + certPath + " for " + host + ": "
          + rootMessage(e) + " (ca.pem, cert.pem and key.pem must be PEM files, as `docker --tlsverify` uses)", e);
    }
    this.client = DockerClientImpl.getInstance(config, http);
  }

  /**
   * Connects as the docker CLI does from its environment: {@code $DOCKER_HOST} ({@value #DEFAULT_HOST} when not
   * set); for a {@code tcp://} host, TLS when {@code DOCKER_TLS_VERIFY} is set to any non-empty value, with
   * {@code ca.pem}, {@code cert.pem} and {@code key.pem} from {@code $DOCKER_CERT_PATH} (default
   * {@code ~/.docker}). See {@link #overTls(URI, Path)} for what the files mean and how errors read.
   *
   * @return the connection (lazy: nothing is sent until the first call)
   * @throws IllegalArgumentException when DOCKER_HOST is not a Docker host, or TLS is asked for and the
   *     certificate directory is missing or incomplete
   */
  public static Docker fromEnv() {
    return fromEnv(System.getenv());
  }

  /** {@link #fromEnv()} over the given environment (tests: a JVM cannot change its own). */
  static Docker fromEnv(Map<String, String> env) {
    String h = env.get("DOCKER_HOST");
    URI host = URI.create(h == null || h.isBlank() ? DEFAULT_HOST : h.trim());
    String verify = env.get("DOCKER_TLS_VERIFY");
    if (verify == null || verify.isEmpty() || !"tcp".equals(host.getScheme())) {
      return at(host);   // TLS is for tcp:// hosts only; a unix socket is guarded by its file permissions
    }
    String certs = env.get("DOCKER_CERT_PATH");
    return overTls(host, certs == null || certs.isBlank() ? defaultCertPath() : Path.of(certs.trim()));
  }

  /**
   * Connects to a daemon at a URI without TLS: {@code unix:///var/run/docker.sock} or {@code tcp://127.0.0.1:2375}
   * (port {@value #DEFAULT_PLAIN_PORT} when none is given). A {@code tcp://} host that is not a loopback address
   * logs a warning: without TLS, anyone on the path can drive that daemon, which is root on its host; use
   * {@link #overTls(URI, Path)}.
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
    if ("tcp".equals(host.getScheme())) {
      host = withPort(host, DEFAULT_PLAIN_PORT);
      if (!isLoopback(host.getHost())) {
        LOG.warn("Docker at {} without TLS: anyone on the network path can read and drive this daemon (root on "
            + "its host); use Docker.overTls(host, certDir) or DOCKER_TLS_VERIFY=1 with DOCKER_CERT_PATH", host);
      }
    }
    return new Docker(host, null);
  }

  /**
   * Connects to a daemon over TLS with the certificates in {@code ~/.docker} (the docker CLI's default
   * {@code DOCKER_CERT_PATH}); see {@link #overTls(URI, Path)}.
   *
   * @param host {@code tcp://host:port}; port {@value #DEFAULT_TLS_PORT} when none is given
   * @return the connection (lazy)
   * @throws IllegalArgumentException as {@link #overTls(URI, Path)}
   */
  public static Docker overTls(URI host) {
    return overTls(host, defaultCertPath());
  }

  /**
   * Connects to a daemon over TLS, as {@code docker --tlsverify -H tcp://host:port} with
   * {@code DOCKER_CERT_PATH=certDir} does, without touching environment variables. The directory holds
   * <ul>
   *   <li>{@code ca.pem}: the CA that signed the daemon's certificate (required); the daemon's certificate must
   *       also name the host (a subject alternative name) as given here;</li>
   *   <li>{@code cert.pem} and {@code key.pem}: this client's certificate and key, which a daemon started with
   *       {@code --tlsverify} requires. Both or neither: without them the connection presents no client
   *       certificate, as the docker CLI's does.</li>
   * </ul>
   * The files are read here, once. A server certificate that {@code ca.pem} does not vouch for, or a client
   * certificate the daemon refuses, fails the first call with a {@link DockerCallException} that names the host
   * and says which side was not trusted. There is no mode that skips verifying the server.
   *
   * @param host {@code tcp://host:port}; port {@value #DEFAULT_TLS_PORT} when none is given
   * @param certDir the directory with {@code ca.pem}, {@code cert.pem}, {@code key.pem}
   * @return the connection (lazy: nothing is sent until the first call)
   * @throws IllegalArgumentException when the host is not {@code tcp://}, or the directory is missing, lacks
   *     {@code ca.pem}, holds only one of {@code cert.pem}/{@code key.pem}, or its files cannot be read
   */
  public static Docker overTls(URI host, Path certDir) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(certDir, "certDir");
    if (!"tcp".equals(host.getScheme())) {
      throw new IllegalArgumentException("Docker over TLS needs a tcp://host:port address, not '" + host + "'");
    }
    URI h = withPort(host, DEFAULT_TLS_PORT);
    Path dir = certDir.toAbsolutePath();
    String what = "the TLS certificate directory for " + h + ", " + dir;
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(what + ", is not a directory: pass the directory that holds ca.pem, "
          + "cert.pem and key.pem (DOCKER_CERT_PATH; default ~/.docker)");
    }
    requireReadable(dir.resolve("ca.pem"), what, "the CA that signed the daemon's certificate");
    boolean cert = Files.exists(dir.resolve("cert.pem"));
    boolean key = Files.exists(dir.resolve("key.pem"));
    if (cert != key) {
      throw new IllegalArgumentException(what + ", has " + (cert ? "cert.pem but no key.pem" : "key.pem but no cert.pem")
          + ": a client certificate needs both");
    }
    if (cert) {
      requireReadable(dir.resolve("cert.pem"), what, "this client's certificate");
      requireReadable(dir.resolve("key.pem"), what, "this client's private key");
    }
    return new Docker(h, dir);
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

  /** @return the daemon's address, with the default port filled in for a {@code tcp://} host that named none */
  public URI host() {
    return host;
  }

  /** @return the directory the TLS certificates came from, or empty when this connection does not use TLS */
  public Optional<Path> tlsCertPath() {
    return Optional.ofNullable(certPath);
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

  /**
   * Waits for the daemon to answer a ping, polling every 250 ms: after a restart it refuses connections, or its
   * socket is missing, for a few seconds.
   *
   * @param within how long to wait at most
   * @return true when it answered within the time, false when it did not (or the thread was interrupted)
   */
  public boolean awaitReachable(Duration within) {
    long end = System.nanoTime() + within.toNanos();
    while (true) {
      try {
        call("ping", () -> client.pingCmd().exec());
        return true;
      } catch (DockerCallException e) {
        if (System.nanoTime() + 250_000_000L > end) {
          return false;
        }
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** @return the API version the daemon speaks, which is what every request uses, e.g. {@code 1.41} */
  public String apiVersion() {
    return version().getApiVersion();
  }

  /**
   * @return one line: {@code docker unix:///var/run/docker.sock}, or {@code docker tcp://10.0.0.5:2376 (TLS,
   *     certificates in /etc/deploy/docker-certs)}; does not contact the daemon
   */
  public String describe() {
    return certPath == null ? "docker " + host : "docker " + host + " (TLS, certificates in " + certPath + ")";
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
      throw new DockerCallException(operation, e.getHttpStatus(), withTlsHint(daemonMessage(e.getMessage())), e);
    } catch (DockerClientException | UncheckedIOException e) {
      throw new DockerCallException(operation, 0, unreachable(e, e.getMessage()), e);
    } catch (RuntimeException e) {
      if (e.getCause() instanceof IOException) {
        throw new DockerCallException(operation, 0, unreachable(e, e.getCause().getMessage()), e);
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
        throw new DockerCallException(operation, r.getStatusCode(), withTlsHint(daemonMessage(text)), null);
      }
      return text.isBlank() ? JSON.nullNode() : JSON.readTree(text);
    } catch (IOException | RuntimeException e) {
      if (e instanceof DockerCallException d) {
        throw d;
      }
      throw new DockerCallException(operation, 0, unreachable(e, e.getMessage()), e);
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

  /** A plain-HTTP client at a TLS port gets the daemon's "HTTP request to an HTTPS server": say what to do. */
  private String withTlsHint(String daemonMessage) {
    if (certPath == null && daemonMessage.contains("HTTP request to an HTTPS server")) {
      return daemonMessage + " (" + host + " speaks TLS: connect with Docker.overTls(host, certDir), or set "
          + "DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH)";
    }
    return daemonMessage;
  }

  /** Why the daemon could not be reached: which side of a TLS handshake failed, else the transport's words. */
  private String unreachable(Throwable e, String detail) {
    String tls = certPath == null ? null : tlsFailure(e);
    return tls != null ? "cannot reach the daemon at " + host + " over TLS: " + tls
        : "cannot reach the daemon at " + host + ": " + detail;
  }

  /** Names a TLS handshake failure in the cause chain, or null when there is none this recognises. */
  private String tlsFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
        return "the server's certificate is not trusted: " + certPath.resolve("ca.pem") + " does not vouch for it"
            + " (is " + certPath + " the certificate directory for this daemon?)";
      }
      if (t instanceof SSLPeerUnverifiedException || String.valueOf(t.getMessage()).contains("subject alternative")) {
        return "the server's certificate does not name " + host.getHost() + ": " + t.getMessage();
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      String refusal = null;
      if (t instanceof SSLException && (m.contains("bad_certificate") || m.contains("certificate_required")
          || m.contains("unknown_ca") || m.contains("certificate_unknown"))) {
        refusal = t.getMessage();
      } else if (t instanceof SocketException && inHandshake(t)) {
        // Go's TLS server sends its alert and closes at once; the JDK often reports the closed socket instead.
        refusal = "it closed the connection during the handshake (" + t.getMessage() + ")";
      }
      if (refusal != null) {
        return clientCert
            ? "the daemon refused this client's certificate " + certPath.resolve("cert.pem") + " (is it signed by "
                + "the CA the daemon trusts, dockerd --tlscacert?): " + refusal
            : "the daemon requires a client certificate and " + certPath + " has none (cert.pem and key.pem): "
                + refusal;
      }
      if (t instanceof SSLException && (m.contains("plaintext") || m.contains("unrecognized ssl message"))) {
        return "the daemon does not speak TLS on port " + host.getPort() + " (" + t.getMessage() + ")";
      }
    }
    return null;
  }

  private static boolean inHandshake(Throwable t) {
    for (StackTraceElement f : t.getStackTrace()) {
      if (f.getClassName().startsWith("sun.security.ssl.") && f.getMethodName().equals("startHandshake")) {
        return true;
      }
    }
    return false;
  }

  private static SSLConfig trustOnly(Path caPem) {
    return () -> {
      try (InputStream in = Files.newInputStream(caPem)) {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          trust.setCertificateEntry("ca-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLSv1.2");   // as docker-java's LocalDirectorySSLConfig
        context.init(null, tmf.getTrustManagers(), null);
        return context;
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException("cannot read " + caPem + ": " + e.getMessage(), e);
      }
    };
  }

  private static void requireReadable(Path file, String what, String role) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(what + ", has no " + file.getFileName() + " (" + role + ")");
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(what + ": cannot read " + file.getFileName() + " (" + role
          + "): permission denied for this user");
    }
  }

  private static Path defaultCertPath() {
    return Path.of(System.getProperty("user.home"), ".docker");
  }

  /** The URI with {@code port} when it names none (the docker CLI's defaults: 2376 with TLS, 2375 without). */
  private static URI withPort(URI host, int port) {
    if (host.getPort() != -1 || host.getHost() == null) {
      return host;
    }
    return URI.create(host.getScheme() + "://" + host.getRawAuthority() + ":" + port
        + (host.getRawPath() == null ? "" : host.getRawPath()));
  }

  /** Literal loopback addresses and {@code localhost}; any other name may resolve anywhere (no DNS lookup here). */
  static boolean isLoopback(String hostName) {
    if (hostName == null) {
      return false;
    }
    String h = hostName.startsWith("[") && hostName.endsWith("]") ? hostName.substring(1, hostName.length() - 1)
        : hostName;
    if (h.equalsIgnoreCase("localhost") || h.toLowerCase(Locale.ROOT).endsWith(".localhost")) {
      return true;
    }
    if (h.contains(":") || h.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      try {
        return InetAddress.getByName(h).isLoopbackAddress();   // a literal: parsed, not looked up
      } catch (UnknownHostException e) {
        return false;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
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
