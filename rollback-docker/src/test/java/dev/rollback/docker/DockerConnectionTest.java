package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a connection is chosen and checked before anything is sent: no daemon involved. */
class DockerConnectionTest {
  @TempDir
  Path dir;

  @Test
  void takesAnyNonEmptyDockerTlsVerifyAsTlsAsTheCliDoes() {
    // "0" still means verify for the docker CLI; TLS is chosen, so the empty directory is refused.
    assertThatThrownBy(() -> Docker.fromEnv(Map.of("DOCKER_HOST", "tcp://127.0.0.1:2376",
        "DOCKER_TLS_VERIFY", "0", "DOCKER_CERT_PATH", dir.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the TLS certificate directory for tcp://127.0.0.1:2376, " + dir
            + ", has no ca.pem (the CA that signed the daemon's certificate)");
  }

  @Test
  void usesNoTlsWhenDockerTlsVerifyIsEmpty() {
    try (Docker d = Docker.fromEnv(Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375", "DOCKER_TLS_VERIFY", ""))) {
      assertThat(d.tlsCertPath()).isEmpty();
      assertThat(d.describe()).isEqualTo("docker tcp://127.0.0.1:2375");
    }
  }

  @Test
  void ignoresDockerTlsVerifyForAUnixSocket() {
    try (Docker d = Docker.fromEnv(Map.of("DOCKER_HOST", "unix:///tmp/rbdock-none.sock", "DOCKER_TLS_VERIFY", "1",
        "DOCKER_CERT_PATH", dir.toString()))) {
      assertThat(d.tlsCertPath()).isEmpty();
      assertThat(d.host()).isEqualTo(URI.create("unix:///tmp/rbdock-none.sock"));
    }
  }

  @Test
  void fillsInTheCliDefaultPortOfATcpHost() {
    try (Docker d = Docker.at(URI.create("tcp://127.0.0.1"))) {
      assertThat(d.host()).isEqualTo(URI.create("tcp://127.0.0.1:2375"));
    }
  }

  @Test
  void refusesTlsToAUnixSocket() {
    assertThatThrownBy(() -> Docker.overTls(URI.create("unix:///var/run/docker.sock"), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Docker over TLS needs a tcp://host:port address, not 'unix:///var/run/docker.sock'");
  }

  @Test
  void refusesACertificateDirectoryThatIsNotThere() {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> Docker.overTls(URI.create("tcp://docker.example:2376"), missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the TLS certificate directory for tcp://docker.example:2376, " + missing
            + ", is not a directory: pass the directory that holds ca.pem, cert.pem and key.pem"
            + " (DOCKER_CERT_PATH; default ~/.docker)");
  }

  @Test
  void refusesAClientCertificateWithoutItsKey() throws IOException {
    Files.writeString(dir.resolve("ca.pem"), "x");
    Files.writeString(dir.resolve("cert.pem"), "x");
    assertThatThrownBy(() -> Docker.overTls(URI.create("tcp://docker.example"), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the TLS certificate directory for tcp://docker.example:2376, " + dir
            + ", has cert.pem but no key.pem: a client certificate needs both");
  }

  @Test
  void refusesCertificateFilesThatAreNotPemWithoutQuotingThem() throws IOException {
    Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    Files.writeString(dir.resolve("cert.pem"), "not a certificate");
    Files.writeString(dir.resolve("key.pem"), "SECRET-KEY-MATERIAL");
    assertThatThrownBy(() -> Docker.overTls(URI.create("tcp://docker.example:2376"), dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot use the TLS certificates in " + dir + " for tcp://docker.example:2376: ")
        .hasMessageNotContaining("SECRET-KEY-MATERIAL");
  }

  @Test
  void warnsWhenAPlainTcpHostIsNotOnThisMachine() {
    try (CapturedStderr log = new CapturedStderr(); Docker d = Docker.at(URI.create("tcp://10.20.30.40:2375"))) {
      assertThat(log.text()).contains("Docker at tcp://10.20.30.40:2375 without TLS: anyone on the network path"
          + " can read and drive this daemon");
    }
  }

  @Test
  void doesNotWarnForAPlainTcpHostOnLoopback() {
    try (CapturedStderr log = new CapturedStderr(); Docker d = Docker.at(URI.create("tcp://127.0.0.1:2375"));
        Docker l = Docker.at(URI.create("tcp://localhost:2375")); Docker v6 = Docker.at(URI.create("tcp://[::1]:2375"))) {
      assertThat(log.text()).doesNotContain("without TLS");
    }
  }

  @Test
  void takesOnlyLiteralLoopbackAddressesAndLocalhostForLoopback() {
    assertThat(Docker.isLoopback("127.0.0.1")).isTrue();
    assertThat(Docker.isLoopback("127.8.9.10")).isTrue();
    assertThat(Docker.isLoopback("[::1]")).isTrue();
    assertThat(Docker.isLoopback("localhost")).isTrue();
    assertThat(Docker.isLoopback("10.0.0.5")).isFalse();
    assertThat(Docker.isLoopback("docker.example")).isFalse();   // a name may resolve anywhere
    assertThat(Docker.isLoopback("[2001:db8::1]")).isFalse();
  }
}
