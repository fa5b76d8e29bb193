package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test dockerd also listens on tcp://127.0.0.1:2376 with --tlsverify (scripts/test-env.sh): its CA, a client
 * certificate it signed, and a second, unrelated CA.
 */
class DockerTlsIT {
  static DockerFixture fx;
  static URI tlsHost;
  static Path certs;
  static Path otherCa;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    fx = DockerFixture.start();
    fx.env.requireServer("Docker over TLS", null, "docker.tls.port", "docker.tls.host", "docker.tls.cert_path",
        "docker.tls.other_ca");
    tlsHost = URI.create(fx.env.get("docker.tls.host"));
    certs = fx.env.path("docker.tls.cert_path");
    otherCa = fx.env.path("docker.tls.other_ca");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void connectsOverTlsWithTheDockerCliEnvironment() {
    try (Docker docker = Docker.fromEnv(Map.of("DOCKER_HOST", tlsHost.toString(), "DOCKER_TLS_VERIFY", "1",
        "DOCKER_CERT_PATH", certs.toString()))) {
      assertThat(docker.describe()).isEqualTo("docker " + tlsHost + " (TLS, certificates in " + certs + ")");
      assertWorksOverTls(docker);
    }
  }

  @Test
  void connectsOverTlsWithAnExplicitCertificateDirectory() {
    try (Docker docker = Docker.overTls(tlsHost, certs)) {
      assertThat(docker.tlsCertPath()).contains(certs);
      assertWorksOverTls(docker);
    }
  }

  @Test
  void readsTheCertificatesFromDotDockerInTheHomeDirectoryByDefault() throws IOException {
    Path home = tmp.resolve("home");
    linkCertDir(home.resolve(".docker"), certs.resolve("ca.pem"), true);
    String realHome = System.getProperty("user.home");
    System.setProperty("user.home", home.toString());
    try (Docker docker = Docker.overTls(tlsHost)) {
      assertThat(docker.tlsCertPath()).contains(home.resolve(".docker"));
      assertThat(docker.version().getApiVersion()).isEqualTo(fx.docker.apiVersion());
    } finally {
      System.setProperty("user.home", realHome);
    }
  }

  @Test
  void refusesAServerItsCaDoesNotVouchFor() throws IOException {
    Path wrongCa = linkCertDir(tmp.resolve("wrong-ca"), otherCa, true);
    try (Docker docker = Docker.overTls(tlsHost, wrongCa)) {
      assertThatThrownBy(docker::version).isInstanceOfSatisfying(DockerCallException.class,
          e -> assertThat(e.status()).isZero())
          .hasMessage("docker call failed: read the daemon's version: cannot reach the daemon at " + tlsHost
              + " over TLS: the server's certificate is not trusted: " + wrongCa.resolve("ca.pem")
              + " does not vouch for it (is " + wrongCa + " the certificate directory for this daemon?)");
    }
  }

  @Test
  void isRefusedByTheDaemonWithoutAClientCertificate() throws IOException {
    Path caOnly = linkCertDir(tmp.resolve("ca-only"), certs.resolve("ca.pem"), false);
    try (Docker docker = Docker.overTls(tlsHost, caOnly)) {
      assertThatThrownBy(docker::version).isInstanceOfSatisfying(DockerCallException.class,
          e -> assertThat(e.status()).isZero())
          .hasMessageStartingWith("docker call failed: read the daemon's version: cannot reach the daemon at "
              + tlsHost + " over TLS: the daemon requires a client certificate and " + caOnly
              + " has none (cert.pem and key.pem)");
    }
  }

  @Test
  void saysThePortSpeaksTlsWhenConnectedWithoutIt() {
    try (Docker plain = Docker.at(tlsHost)) {
      assertThatThrownBy(plain::version).isInstanceOfSatisfying(DockerCallException.class,
          e -> assertThat(e.status()).isEqualTo(400))
          .hasMessageContaining(tlsHost + " speaks TLS: connect with Docker.overTls(host, certDir)");
    }
  }

  /** Ping, version, and a container created over TLS that the unix socket sees too (and the listing over TLS). */
  private static void assertWorksOverTls(Docker docker) {
    docker.run("ping", () -> docker.client().pingCmd().exec());
    assertThat(docker.version().getVersion()).isEqualTo(fx.docker.version().getVersion());
    String name = "rbdock-tls-" + UUID.randomUUID().toString().substring(0, 8);
    fx.cleanUpContainer(name);
    String id = docker.call("create container " + name, () -> docker.client()
        .createContainerCmd(fx.env.get("docker.busybox_image")).withName(name).withCmd("true").exec()).getId();
    try {
      assertThat(fx.docker.container(name).getId()).isEqualTo(id);
      List<Container> listed = docker.call("list containers", () -> docker.client().listContainersCmd()
          .withShowAll(true).withNameFilter(List.of(name)).exec());
      assertThat(listed).extracting(Container::getId).containsExactly(id);
    } finally {
      fx.removeQuietly(name);
    }
  }

  /** A certificate directory with this ca.pem and, when asked, the test client's certificate and key (links). */
  private static Path linkCertDir(Path dir, Path caPem, boolean clientCert) throws IOException {
    Files.createDirectories(dir);
    Files.createSymbolicLink(dir.resolve("ca.pem"), caPem);
    if (clientCert) {
      Files.createSymbolicLink(dir.resolve("cert.pem"), certs.resolve("cert.pem"));
      Files.createSymbolicLink(dir.resolve("key.pem"), certs.resolve("key.pem"));
    }
    return dir;
  }
}
