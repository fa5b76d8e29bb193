package dev.rollback.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SshOptionsTest {
  @Test
  void defaultsAreTheDocumentedSafeOnes() {
    SshOptions d = SshOptions.defaults();
    assertThat(d.user()).isEqualTo(System.getProperty("user.name"));
    assertThat(d.host()).isEmpty();
    assertThat(d.port()).isEqualTo(22);
    assertThat(d.identityFiles()).isEmpty();
    assertThat(d.password()).isEmpty();
    assertThat(d.knownHosts()).isEqualTo(Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"));
    assertThat(d.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.keepAliveInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(d.commandTimeout()).isEmpty();
    assertThat(d.maxConcurrentCommands()).isEqualTo(8);
  }

  @Test
  void withMethodsCopyAndLeaveTheOriginalAlone() {
    SshOptions d = SshOptions.defaults();
    SshOptions o = d.withUser("deploy").withHost("db1").withPort(2222).withIdentityFile(Path.of("/k1"))
        .withIdentityFile(Path.of("/k2")).withCommandTimeout(Duration.ofMinutes(5));
    assertThat(o.user()).isEqualTo("deploy");
    assertThat(o.host()).contains("db1");
    assertThat(o.port()).isEqualTo(2222);
    assertThat(o.identityFiles()).containsExactly(Path.of("/k1"), Path.of("/k2"));
    assertThat(o.effectiveIdentityFiles()).containsExactly(Path.of("/k1"), Path.of("/k2"));
    assertThat(o.commandTimeout()).contains(Duration.ofMinutes(5));
    assertThat(d.host()).isEmpty();
    assertThat(d.identityFiles()).isEmpty();
  }

  @Test
  void passwordNeverPrints() {
    SshOptions o = SshOptions.defaults().withPassword(Secret.of("hunter2"));
    assertThat(o.toString()).doesNotContain("hunter2").contains("password=***");
    assertThat(o.password().orElseThrow().reveal()).isEqualTo("hunter2");
  }

  @Test
  void rejectsNonsenseAtOnce() {
    SshOptions d = SshOptions.defaults();
    assertThatThrownBy(() -> d.withPort(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withPort(65536)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withUser("a@b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withHost(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withConnectTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withKeepAliveInterval(Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withMaxConcurrentCommands(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(d.withKeepAliveInterval(Duration.ZERO).keepAliveInterval()).isZero();
  }

  @Test
  void targetStringOverridesUserHostAndPort() {
    SshOptions base = SshOptions.defaults().withUser("nobody").withPort(2200);
    SshOptions a = SshExecutor.parseTarget("deploy@db1.example.com", base);
    assertThat(a.user()).isEqualTo("deploy");
    assertThat(a.host()).contains("db1.example.com");
    assertThat(a.port()).isEqualTo(2200);

    SshOptions b = SshExecutor.parseTarget("root@127.0.0.1:2222", base);
    assertThat(b.user()).isEqualTo("root");
    assertThat(b.host()).contains("127.0.0.1");
    assertThat(b.port()).isEqualTo(2222);

    SshOptions c = SshExecutor.parseTarget("db1", base);
    assertThat(c.user()).isEqualTo("nobody");
    assertThat(c.host()).contains("db1");

    SshOptions v6 = SshExecutor.parseTarget("ops@[2001:db8::1]:2022", base);
    assertThat(v6.host()).contains("2001:db8::1");
    assertThat(v6.port()).isEqualTo(2022);
    assertThat(SshExecutor.parseTarget("::1", base).host()).contains("::1");

    assertThatThrownBy(() -> SshExecutor.parseTarget("db1:ssh", base)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SshExecutor.parseTarget("deploy@", base)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SshExecutor.parseTarget("[::1", base)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void connectWithoutAHostSaysHowToGiveOne() {
    assertThatThrownBy(() -> SshExecutor.connect(SshOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("withHost");
  }
}
