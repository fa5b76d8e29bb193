package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DockerIT {
  static DockerFixture fx;

  @BeforeAll
  static void start() {
    fx = DockerFixture.start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void speaksTheDaemonsOwnApiVersion() {
    String cli = LocalExecutor.create().run(Command.of("docker", "version", "--format", "{{.Server.APIVersion}}"))
        .requireSuccess().stdoutTrimmed();
    assertThat(fx.docker.apiVersion()).isEqualTo(cli);
    assertThat(fx.docker.describe()).isEqualTo("docker " + fx.env.get("docker.host"));
  }

  @Test
  void errorsSayWhatWasAskedAndQuoteTheDaemon() {
    assertThatThrownBy(() -> fx.docker.container("rbdock-no-such"))
        .isInstanceOfSatisfying(DockerCallException.class, e -> {
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.daemonMessage()).isEqualTo("No such container: rbdock-no-such");
        })
        .hasMessage("docker refused to inspect container rbdock-no-such (HTTP 404): No such container: rbdock-no-such");
    assertThat(fx.docker.findContainer("rbdock-no-such")).isEmpty();
  }

  @Test
  void saysWhereItLookedWhenNoDaemonAnswers() {
    try (Docker nowhere = Docker.atSocket(Path.of("/tmp/rbdock-no-daemon.sock"))) {
      assertThatThrownBy(nowhere::version).isInstanceOfSatisfying(DockerCallException.class,
          e -> assertThat(e.status()).isZero())
          .hasMessageContaining("read the daemon's version")
          .hasMessageContaining("cannot reach the daemon at unix:///tmp/rbdock-no-daemon.sock");
    }
  }
}
