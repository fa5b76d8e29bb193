package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class DockerMessageTest {
  @Test
  void pullsTheDaemonsMessageOutOfDockerJavasErrorText() {
    assertThat(Docker.daemonMessage("Status 409: {\"message\":\"Conflict. The container name \\\"/api\\\" is in use\"}\n"))
        .isEqualTo("Conflict. The container name \"/api\" is in use");
    assertThat(Docker.daemonMessage("  plain text  ")).isEqualTo("plain text");
    assertThat(Docker.daemonMessage(null)).isEqualTo("(no answer)");
  }

  @Test
  void refusesAHostThatIsNotADockerAddress() {
    assertThatThrownBy(() -> Docker.at(URI.create("http://localhost:2375")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unix:///path/to/docker.sock");
  }
}
