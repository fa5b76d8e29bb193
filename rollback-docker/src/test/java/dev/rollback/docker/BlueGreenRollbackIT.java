package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.TestEnvironment;
import dev.rollback.verify.HttpCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlueGreenRollbackIT {
  @TempDir
  Path tmp;
  DockerFixture fx;

  @BeforeEach
  void start() {
    fx = DockerFixture.start();
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  RollbackPlan.Builder plan(String target) {
    return RollbackPlan.builder(target).lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl")));
  }

  static VerificationChain ok(String url) {
    return VerificationChain.of(HttpCheck.get(url).expectStatus(200))
        .retry(Retry.every(Duration.ofMillis(100)).deadline(Duration.ofSeconds(10)));
  }

  ReleaseImages releases(String repo) {
    fx.tag(TestImages.HEALTHY, repo, "1");
    fx.tag(TestImages.UNHEALTHY, repo, "2");
    return ReleaseImages.of(fx.docker, repo);
  }

  TestNginx nginx(int port, int bluePort) {
    TestEnvironment env = TestEnvironment.load().requireServer("nginx", null, null, "nginx.binary");
    return TestNginx.start(env.get("nginx.binary"), tmp.resolve("nginx"), port, "127.0.0.1:" + bluePort);
  }

  BlueGreenRollback strategy(String blue, ReleaseImages rel, TrafficSwitch sw, int greenPort) {
    return BlueGreenRollback.of(fx.docker, blue, rel, sw).greenPort(8080, greenPort).drain(Duration.ofMillis(200))
        .readiness(ContainerReadiness.defaults().deadline(Duration.ofSeconds(15))
            .andCheck(HttpCheck.get("http://127.0.0.1:" + greenPort + "/health").expectStatus(200)));
  }

  @Test
  void switchesNginxToGreenAfterVerifyingItAndStopsBlue() throws Exception {
    ReleaseImages rel = releases("rollback-test/rbdock-bg-nginx");
    String blue = "rbdock-bg-nginx";
    String blueId = fx.run(blue, "rollback-test/rbdock-bg-nginx:release-2", 18121);
    try (TestNginx nginx = nginx(18120, 18121)) {
      DockerFixture.await("blue through nginx", Duration.ofSeconds(10),
          () -> DockerFixture.body(nginx.url("/")).equals("release-2\n"));
      NginxUpstreamSwitch sw = NginxUpstreamSwitch.of(LocalExecutor.create(), nginx.upstreamFile.toString(), "app")
          .nginxCommand(nginx.argv());

      RollbackReport report = plan(blue).step(strategy(blue, rel, sw, 18122)
              .verifyThroughProxy(HttpCheck.get(nginx.url("/health")).expectStatus(200), Duration.ofSeconds(10)))
          .verify(ok(nginx.url("/health"))).build().run();

      assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(DockerFixture.body(nginx.url("/"))).isEqualTo("release-1\n");
      assertThat(Files.readString(nginx.upstreamFile)).contains("server 127.0.0.1:18122;");
      assertThat(fx.docker.container(blueId).getState().getRunning()).as("blue stopped, kept").isFalse();
      assertThat(fx.docker.container(blue + "-green").getState().getRunning()).isTrue();
      assertThat(report.steps().get(0).actions())
          .anyMatch(a -> a.contains("nginx") && a.contains("-t") && a.contains("exit 0"))
          .anyMatch(a -> a.startsWith("through the proxy: GET " + nginx.url("/health")));
    }
  }

  @Test
  void keepsBlueUntilThePlanIsVerifiedEvenWhenAskedToRemoveItSoAFailedVerificationBringsItBack() throws Exception {
    ReleaseImages rel = releases("rollback-test/rbdock-bg-rmblue");
    String blue = "rbdock-bg-rmblue";
    String blueId = fx.run(blue, "rollback-test/rbdock-bg-rmblue:release-2", 18171);
    try (TestNginx nginx = nginx(18170, 18171)) {
      DockerFixture.await("blue through nginx", Duration.ofSeconds(10),
          () -> DockerFixture.body(nginx.url("/")).equals("release-2\n"));
      NginxUpstreamSwitch sw = NginxUpstreamSwitch.of(LocalExecutor.create(), nginx.upstreamFile.toString(), "app")
          .nginxCommand(nginx.argv());

      RollbackReport report = plan(blue).step(strategy(blue, rel, sw, 18172).removeBlue(true))
          .verify(VerificationChain.of(HttpCheck.get(nginx.url("/")).expectStatus(418))
              .retry(Retry.every(Duration.ofMillis(100)).attempts(2)))
          .verifyAfterRestore(ok(nginx.url("/"))).build().run();

      assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
      assertThat(fx.docker.container(blue).getId()).isEqualTo(blueId);
      assertThat(DockerFixture.body(nginx.url("/"))).isEqualTo("release-2\n");
      assertThat(fx.docker.findContainer(blue + "-green")).isEmpty();
    }
  }

  @Test
  void removesBlueOnlyOnceThePlanIsVerifiedWhenAsked() throws Exception {
    ReleaseImages rel = releases("rollback-test/rbdock-bg-rmblue2");
    String blue = "rbdock-bg-rmblue2";
    String blueId = fx.run(blue, "rollback-test/rbdock-bg-rmblue2:release-2", 18174);
    try (TestNginx nginx = nginx(18173, 18174)) {
      DockerFixture.await("blue through nginx", Duration.ofSeconds(10),
          () -> DockerFixture.body(nginx.url("/")).equals("release-2\n"));
      NginxUpstreamSwitch sw = NginxUpstreamSwitch.of(LocalExecutor.create(), nginx.upstreamFile.toString(), "app")
          .nginxCommand(nginx.argv());

      RollbackReport report = plan(blue).step(strategy(blue, rel, sw, 18175).removeBlue(true))
          .verify(ok(nginx.url("/health"))).build().run();

      assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(fx.docker.findContainer(blueId)).isEmpty();
      assertThat(DockerFixture.body(nginx.url("/"))).isEqualTo("release-1\n");
      assertThat(report.timeline()).anyMatch(e -> e.kind().equals("finish") && e.message().startsWith("done"));
    } finally {
      fx.removeQuietly(blue + "-green");
    }
  }

  @Test
  void previewListsTheSwitchCommandsAndChangesNothing() throws Exception {
    ReleaseImages rel = releases("rollback-test/rbdock-bg-preview");
    String blue = "rbdock-bg-preview";
    fx.run(blue, "rollback-test/rbdock-bg-preview:release-2", 18130);
    try (TestNginx nginx = nginx(18129, 18130)) {
      String before = Files.readString(nginx.upstreamFile);
      NginxUpstreamSwitch sw = NginxUpstreamSwitch.of(LocalExecutor.create(), nginx.upstreamFile.toString(), "app")
          .nginxCommand(nginx.argv());

      var preview = plan(blue).step(strategy(blue, rel, sw, 18131)).build().preview();

      assertThat(preview.wouldProceed()).as(preview.toString()).isTrue();
      assertThat(preview.steps().get(0).actions())
          .anyMatch(a -> a.contains("would create and start " + blue + "-green from rollback-test/rbdock-bg-preview:release-1"))
          .anyMatch(a -> a.startsWith("would run on local: sh -c") && a.contains(nginx.upstreamFile.toString()))
          .anyMatch(a -> a.startsWith("would run on local: ") && a.endsWith(" -t"))
          .anyMatch(a -> a.endsWith("-s reload"));
      assertThat(Files.readString(nginx.upstreamFile)).isEqualTo(before);
      assertThat(fx.docker.findContainer(blue + "-green")).isEmpty();
      assertThat(fx.docker.container(blue).getState().getRunning()).isTrue();
    }
  }

  @Test
  void putsTheOldUpstreamFileBackWhenNginxRejectsTheNewOneAndKeepsServingBlue() throws Exception {
    ReleaseImages rel = releases("rollback-test/rbdock-bg-nginxt");
    String blue = "rbdock-bg-nginxt";
    String blueId = fx.run(blue, "rollback-test/rbdock-bg-nginxt:release-2", 18124);
    try (TestNginx nginx = nginx(18123, 18124)) {
      String before = Files.readString(nginx.upstreamFile);
      NginxUpstreamSwitch sw = NginxUpstreamSwitch.of(LocalExecutor.create(), nginx.upstreamFile.toString(), "app")
          .nginxCommand(nginx.argv());

      RollbackReport report = plan(blue).step(strategy(blue, rel, sw, 18125).greenUpstream("127.0.0.1:99999"))
          .verify(ok(nginx.url("/"))).build().run();

      assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
      assertThat(report.failure()).contains("nginx -t rejected upstream 127.0.0.1:99999")
          .contains("the old file is back");
      assertThat(Files.readString(nginx.upstreamFile)).isEqualTo(before);
      assertThat(DockerFixture.body(nginx.url("/"))).isEqualTo("release-2\n");
      assertThat(fx.docker.container(blueId).getState().getRunning()).isTrue();
      assertThat(fx.docker.findContainer(blue + "-green")).as("green removed").isEmpty();
    }
  }

  @Test
  void refusesBeforeStartingGreenWhenThePreviousImageIsMissing() throws Exception {
    ReleaseImages rel = releases("rollback-test/rbdock-bg-missing");
    fx.untag("rollback-test/rbdock-bg-missing:release-1");
    String blue = "rbdock-bg-missing";
    fx.run(blue, "rollback-test/rbdock-bg-missing:release-2", 18127);
    try (TestNginx nginx = nginx(18126, 18127)) {
      String before = Files.readString(nginx.upstreamFile);
      NginxUpstreamSwitch sw = NginxUpstreamSwitch.of(LocalExecutor.create(), nginx.upstreamFile.toString(), "app")
          .nginxCommand(nginx.argv());

      RollbackReport report = plan(blue).step(strategy(blue, rel, sw, 18128)).build().run();

      assertThat(report.outcome()).isEqualTo(Outcome.REFUSED);
      assertThat(report.failure()).contains("before 2").contains("rollback-test/rbdock-bg-missing:release-2");
      assertThat(Files.readString(nginx.upstreamFile)).isEqualTo(before);
      assertThat(fx.docker.findContainer(blue + "-green")).isEmpty();
    }
  }

  @Test
  void switchesCaddyThroughItsAdminApiAndReadsTheConfigBack() {
    TestEnvironment env = TestEnvironment.load().requireServer("Caddy", null, null, "caddy.admin");
    URI admin = URI.create(env.get("caddy.admin"));
    ReleaseImages rel = releases("rollback-test/rbdock-bg-caddy");
    String blue = "rbdock-bg-caddy";
    String blueId = fx.run(blue, "rollback-test/rbdock-bg-caddy:release-2", 18141);
    try (TestCaddy caddy = TestCaddy.start(admin, "rbdock-bg-caddy", 18140, "127.0.0.1:18141")) {
      CaddyAdminSwitch sw = CaddyAdminSwitch.of(admin, caddy.handlerId);

      RollbackReport report = plan(blue).step(strategy(blue, rel, sw, 18142)
              .verifyThroughProxy(HttpCheck.get(caddy.url("/health")).expectStatus(200), Duration.ofSeconds(10)))
          .verify(ok(caddy.url("/health"))).build().run();

      assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(sw.current(RollbackContext.standalone("t"))).isEqualTo("127.0.0.1:18142");
      assertThat(DockerFixture.body(caddy.url("/"))).isEqualTo("release-1\n");
      assertThat(fx.docker.container(blueId).getState().getRunning()).isFalse();
      assertThat(report.steps().get(0).actions()).anyMatch(a -> a.contains("reads back [{\"dial\":\"127.0.0.1:18142\"}]"));
    }
  }

  @Test
  void switchesCaddyBackAndRemovesGreenWhenTheProxyCheckFails() {
    TestEnvironment env = TestEnvironment.load().requireServer("Caddy", null, null, "caddy.admin");
    URI admin = URI.create(env.get("caddy.admin"));
    ReleaseImages rel = releases("rollback-test/rbdock-bg-caddyback");
    String blue = "rbdock-bg-caddyback";
    String blueId = fx.run(blue, "rollback-test/rbdock-bg-caddyback:release-2", 18144);
    try (TestCaddy caddy = TestCaddy.start(admin, "rbdock-bg-caddyback", 18143, "127.0.0.1:18144")) {
      CaddyAdminSwitch sw = CaddyAdminSwitch.of(admin, caddy.handlerId);

      RollbackReport report = plan(blue).step(strategy(blue, rel, sw, 18145)
              .verifyThroughProxy(HttpCheck.get(caddy.url("/health")).expectStatus(418), Duration.ofSeconds(1)))
          .verify(ok(caddy.url("/"))).build().run();

      assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
      assertThat(sw.current(RollbackContext.standalone("t"))).isEqualTo("127.0.0.1:18144");
      assertThat(DockerFixture.body(caddy.url("/"))).isEqualTo("release-2\n");
      assertThat(fx.docker.container(blueId).getState().getRunning()).isTrue();
      assertThat(fx.docker.findContainer(blue + "-green")).isEmpty();
    }
  }

  @Test
  void refusesWithAClearErrorAndChangesNothingWhenTheCaddyAdminApiIsUnreachable() {
    ReleaseImages rel = releases("rollback-test/rbdock-bg-nocaddy");
    String blue = "rbdock-bg-nocaddy";
    String blueId = fx.run(blue, "rollback-test/rbdock-bg-nocaddy:release-2", 18147);
    CaddyAdminSwitch sw = CaddyAdminSwitch.of(URI.create("http://127.0.0.1:18149"), "rbdock-nowhere")
        .timeout(Duration.ofSeconds(1));

    RollbackReport report = plan(blue).step(strategy(blue, rel, sw, 18148)).build().run();

    assertThat(report.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(report.failure()).contains("Caddy admin API at http://127.0.0.1:18149 is unreachable")
        .contains("nothing was changed");
    assertThat(fx.docker.container(blueId).getState().getRunning()).isTrue();
    assertThat(fx.docker.findContainer(blue + "-green")).isEmpty();
  }
}
