package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.exec.Command;
import dev.rollback.exec.ExecException;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Secret;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DockerExecExecutorIT {
  static DockerFixture fx;
  static DockerExecExecutor exec;

  @BeforeAll
  static void start() {
    fx = DockerFixture.start();
    fx.run("rbdock-exec", TestImages.HEALTHY, 0);
    exec = DockerExecExecutor.of(fx.docker, "rbdock-exec");
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  void streamsStdinThroughTheCommandAndCapturesStdoutAndTheExitCode() {
    byte[] big = new byte[3 * 1024 * 1024];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ('a' + i % 26);
    }
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    ExecResult r = exec.run(Command.of("sh", "-c", "cat; echo done >&2; exit 4")
        .withStdin(() -> new ByteArrayInputStream(big), "3 MiB").withStdout(sink).withTimeout(Duration.ofSeconds(30)));

    assertThat(r.exitCode()).isEqualTo(4);
    assertThat(sink.toByteArray()).isEqualTo(big);
    assertThat(r.stderr()).isEqualTo("done\n");
  }

  @Test
  void passesSecretsThroughTheExecEnvironmentAndMasksThemInOutput() {
    ExecResult r = exec.run(Command.of("sh", "-c", "echo \"token=$API_TOKEN mode=$MODE\"; cat /proc/self/cmdline")
        .withEnv("API_TOKEN", Secret.of("tok-12345-secret")).withEnv("MODE", "plain").withWorkingDir("/www"));

    assertThat(r.succeeded()).isTrue();
    assertThat(r.stdout()).startsWith("token=*** mode=plain").doesNotContain("tok-12345-secret");
    assertThat(r.command()).contains("API_TOKEN=***").doesNotContain("tok-12345-secret");
    ExecResult pwd = exec.run(Command.of("pwd").withWorkingDir("/www"));
    assertThat(pwd.stdoutTrimmed()).isEqualTo("/www");
  }

  @Test
  void saysWhatTheDaemonAnsweredWhenTheContainerIsMissing() {
    DockerExecExecutor nowhere = DockerExecExecutor.of(fx.docker, "rbdock-no-such-container");
    assertThatThrownBy(() -> nowhere.run(Command.of("true"))).isInstanceOf(ExecException.class)
        .hasMessageContaining("docker refused to create an exec of true in container rbdock-no-such-container")
        .hasMessageContaining("HTTP 404").hasMessageContaining("No such container");
  }

  @Test
  void reportsATimeoutWithoutWaitingForTheCommand() {
    long t0 = System.nanoTime();
    ExecResult r = exec.run(Command.of("sleep", "5").withTimeout(Duration.ofMillis(300)));
    assertThat(r.timedOut()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
  }
}
