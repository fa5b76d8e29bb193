package dev.rollback.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.RollbackContext;
import dev.rollback.testing.LocalHttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class TcpCheckTest {
  private final RollbackContext ctx = RollbackContext.standalone("db");

  @Test
  void passesWhenThePortAcceptsConnections() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CheckResult r = TcpCheck.connect("127.0.0.1", s.getLocalPort()).check(ctx);

      assertThat(r.passed()).isTrue();
      assertThat(r.detail()).startsWith("connected to 127.0.0.1:" + s.getLocalPort() + " in ");
    }
  }

  @Test
  void failsWithConnectionRefusedOnAClosedPort() {
    int port = LocalHttpServer.closedPort();

    CheckResult r = TcpCheck.connect("127.0.0.1", port).check(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).contains("connection refused by 127.0.0.1:" + port);
  }

  @Test
  void failsAtTheTimeoutWhenTheServerDoesNotAnswer() throws IOException {
    // A listener whose accept queue is full: Linux drops further SYNs, so a connect hangs until its timeout.
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> held = new ArrayList<>();
      try {
        boolean full = false;
        for (int i = 0; i < 20 && !full; i++) {
          Socket c = new Socket();
          held.add(c);
          try {
            c.connect(new InetSocketAddress("127.0.0.1", s.getLocalPort()), 200);
          } catch (SocketTimeoutException e) {
            full = true;
          }
        }
        Assumptions.assumeTrue(full, "this kernel accepts connections beyond the backlog");

        long start = System.nanoTime();
        CheckResult r = TcpCheck.connect("127.0.0.1", s.getLocalPort()).timeout(Duration.ofMillis(300)).check(ctx);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(r.passed()).isFalse();
        assertThat(r.detail()).isEqualTo("no connection to 127.0.0.1:" + s.getLocalPort() + " within 300 ms");
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(250)).isLessThan(Duration.ofSeconds(3));
      } finally {
        for (Socket c : held) {
          c.close();
        }
      }
    }
  }

  @Test
  void failsWhenTheHostCannotBeResolved() {
    CheckResult r = TcpCheck.connect("no-such-host.invalid", 80).check(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("cannot resolve host 'no-such-host.invalid'");
  }

  @Test
  void describesHostAndPortAndChecksArguments() {
    assertThat(TcpCheck.connect("127.0.0.1", 5432).describe()).isEqualTo("TCP 127.0.0.1:5432 accepts connections");
    assertThat(TcpCheck.connect("127.0.0.1", 5432).timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(TcpCheck.connect("h", 1).timeout(Duration.ofMillis(300)).timeout()).isEqualTo(Duration.ofMillis(300));
    assertThatThrownBy(() -> TcpCheck.connect("h", 0)).hasMessageContaining("got 0");
    assertThatThrownBy(() -> TcpCheck.connect("h", 65536)).hasMessageContaining("65536");
    assertThatThrownBy(() -> TcpCheck.connect(" ", 80)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TcpCheck.connect("h", 80).timeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
