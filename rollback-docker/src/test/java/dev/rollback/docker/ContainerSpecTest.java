package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerSpecTest {
  static final String ID = "0123456789abcdef0123456789abcdef";

  static InspectContainerResponse container(ContainerConfig cc, HostConfig hc) {
    InspectContainerResponse c = mock(InspectContainerResponse.class);
    when(c.getId()).thenReturn(ID);
    when(c.getName()).thenReturn("/api");
    when(c.getImageId()).thenReturn("sha256:" + "f".repeat(64));
    when(c.getConfig()).thenReturn(cc);
    when(c.getHostConfig()).thenReturn(hc);
    return c;
  }

  static ContainerConfig config(String[] env, String[] cmd, Map<String, String> labels) {
    ContainerConfig cc = mock(ContainerConfig.class);
    when(cc.getEnv()).thenReturn(env);
    when(cc.getCmd()).thenReturn(cmd);
    when(cc.getLabels()).thenReturn(labels);
    when(cc.getImage()).thenReturn("app:release-2");
    return cc;
  }

  @Test
  void keepsOnlyWhatTheContainerSetBeyondItsImageAndNeverPrintsEnvValues() {
    ContainerConfig image = config(new String[] {"PATH=/bin"}, new String[] {"httpd"}, Map.of("release", "2"));
    ContainerConfig cc = config(new String[] {"PATH=/bin", "DB_PASSWORD=hunter2-secret", "MODE=blue"},
        new String[] {"httpd"}, Map.of("release", "2", "team", "core"));
    HostConfig hc = HostConfig.newHostConfig().withInit(true).withRestartPolicy(RestartPolicy.unlessStoppedRestart())
        .withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", 8000), ExposedPort.tcp(8080)));

    ContainerSpec spec = ContainerSpec.from(container(cc, hc), image);

    assertThat(spec.name()).isEqualTo("api");
    assertThat(spec.env()).containsExactly("DB_PASSWORD=hunter2-secret", "MODE=blue");
    assertThat(spec.envNames()).containsExactly("DB_PASSWORD", "MODE");
    assertThat(spec.labels()).isEqualTo(Map.of("team", "core"));
    assertThat(spec.publishesFixedHostPorts()).isTrue();
    assertThat(spec.describe()).contains("ports 127.0.0.1:8000->8080/tcp", "env DB_PASSWORD, MODE", "init true",
        "restart unless-stopped").doesNotContain("hunter2");
    assertThat(spec.withHostPorts(Map.of(8080, 8001)).portsText()).isEqualTo("127.0.0.1:8001->8080/tcp");
    assertThat(spec.portsText()).as("the original is unchanged").isEqualTo("127.0.0.1:8000->8080/tcp");
  }

  @Test
  void aContainerWithoutFixedHostPortsCanRunBesideItsReplacement() {
    ContainerConfig cc = config(null, null, null);
    ContainerSpec spec = ContainerSpec.from(container(cc, HostConfig.newHostConfig()), null);
    assertThat(spec.publishesFixedHostPorts()).isFalse();
    assertThat(spec.portsText()).isEqualTo("none");
  }
}
