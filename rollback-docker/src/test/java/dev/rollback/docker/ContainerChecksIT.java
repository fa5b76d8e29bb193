package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.RestartPolicy;
import dev.rollback.RollbackContext;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import dev.rollback.verify.VerificationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContainerChecksIT {
  DockerFixture fx;
  final RollbackContext ctx = RollbackContext.standalone("checks");

  @BeforeEach
  void start() {
    fx = DockerFixture.start();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  static CheckResult poll(Check c, Duration deadline) {
    VerificationResult r = VerificationChain.of(c).retry(Retry.every(Duration.ofMillis(100)).deadline(deadline))
        .verify(RollbackContext.standalone("checks"));
    var attempts = r.checks().get(0).attempts();
    return attempts.get(attempts.size() - 1);
  }

  String runRestarting(String name) {
    fx.cleanUpContainer(name);
    fx.removeQuietly(name);
    String id = fx.docker.client().createContainerCmd(TestImages.EXITS).withName(name)
        .withHostConfig(HostConfig.newHostConfig().withInit(true).withRestartPolicy(RestartPolicy.alwaysRestart()))
        .exec().getId();
    fx.docker.client().startContainerCmd(id).exec();
    return id;
  }

  @Test
  void aHealthyContainerPassesEveryCheck() {
    fx.run("rbdock-chk-ok", TestImages.HEALTHY, 0, "TOKEN=abc-secret-1");
    assertThat(poll(ContainerChecks.running(fx.docker, "rbdock-chk-ok"), Duration.ofSeconds(5)).passed()).isTrue();
    assertThat(poll(ContainerChecks.healthy(fx.docker, "rbdock-chk-ok"), Duration.ofSeconds(10)).passed()).isTrue();
    assertThat(poll(ContainerChecks.notOomKilled(fx.docker, "rbdock-chk-ok"), Duration.ofSeconds(1)).passed()).isTrue();
    assertThat(poll(ContainerChecks.restartCountStable(fx.docker, "rbdock-chk-ok", Duration.ofMillis(500)),
        Duration.ofSeconds(3)).detail()).startsWith("restart count 0, unchanged for");
    assertThat(ContainerChecks.logsClean(fx.docker, "rbdock-chk-ok", Pattern.compile("ERROR")).check(ctx).passed())
        .isTrue();
  }

  @Test
  void anUnhealthyContainerFailsHealthyWithItsHealthOutput() {
    fx.run("rbdock-chk-sick", TestImages.UNHEALTHY, 0);
    DockerFixture.await("unhealthy", Duration.ofSeconds(10), () -> "unhealthy".equals(
        fx.docker.container("rbdock-chk-sick").getState().getHealth().getStatus()));
    CheckResult r = ContainerChecks.healthy(fx.docker, "rbdock-chk-sick").check(ctx);
    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("unhealthy").contains("404");
    assertThat(ContainerChecks.running(fx.docker, "rbdock-chk-sick").check(ctx).passed()).isTrue();
  }

  @Test
  void aRestartLoopFailsRunningRestartCountAndLogsCleanAndRaisesAnAlarm() throws Exception {
    List<DockerAlarm> alarms = new CopyOnWriteArrayList<>();
    try (DockerEventsWatch w = DockerEventsWatch.on(fx.docker).restartLoop(3, Duration.ofSeconds(30))
        .start(alarms::add)) {
      Instant before = Instant.now().minusSeconds(1);
      runRestarting("rbdock-chk-loop");
      DockerFixture.await("a restart loop alarm", Duration.ofSeconds(30),
          () -> alarms.stream().anyMatch(a -> a.container().equals("rbdock-chk-loop")));
      DockerAlarm a = alarms.stream().filter(x -> x.container().equals("rbdock-chk-loop")).findFirst().orElseThrow();
      assertThat(a.kind()).isEqualTo(DockerAlarm.Kind.RESTART_LOOP);
      assertThat(a.detail()).contains("3 exits").contains("exit code 3");
      CheckResult stable = poll(ContainerChecks.restartCountStable(fx.docker, "rbdock-chk-loop",
          Duration.ofSeconds(2)), Duration.ofSeconds(3));
      assertThat(stable.passed()).isFalse();
      CheckResult logs = ContainerChecks.logsClean(fx.docker, "rbdock-chk-loop", Pattern.compile("cannot start"))
          .since(before).check(ctx);
      assertThat(logs.passed()).isFalse();
      assertThat(logs.detail()).contains("release-3 cannot start");
      assertThat(ContainerChecks.logsClean(fx.docker, "rbdock-chk-loop", Pattern.compile("cannot start"))
          .lastLines(1).check(ctx).passed()).isFalse();
    }
  }

  @Test
  void aMissingContainerFailsWithItsName() {
    CheckResult r = ContainerChecks.running(fx.docker, "rbdock-chk-none").check(ctx);
    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("no container rbdock-chk-none");
  }
}
