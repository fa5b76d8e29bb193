package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.rollback.Outcome;
import dev.rollback.Preview;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageTagRollbackIT {
  static final String SECRET = "s3cr3t-Pa55w0rd-9f2c";

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

  static VerificationChain healthOn(int port) {
    return VerificationChain.of(HttpStatusCheck.ok("http://127.0.0.1:" + port + "/health"))
        .retry(Retry.every(Duration.ofMillis(100)).deadline(Duration.ofSeconds(10)));
  }

  ReleaseImages releases(String repo, String previousImage, String currentImage) {
    fx.tag(previousImage, repo, "1");
    fx.tag(currentImage, repo, "2");
    ReleaseImages r = ReleaseImages.of(fx.docker, repo).recordedIn(tmp.resolve("registry"));
    r.recordDeployed("1");
    r.recordDeployed("2");
    return r;
  }

  ImageTagRollback strategy(String name, ReleaseImages releases) {
    return ImageTagRollback.of(fx.docker, name, releases)
        .readiness(ContainerReadiness.defaults().deadline(Duration.ofSeconds(15)))
        .stopTimeout(Duration.ofSeconds(5));
  }

  InspectContainerResponse inspect(String name) {
    return fx.docker.container(name);
  }

  @Test
  void rollsBackToThePreviousReleaseWithTheSameConfigurationAndNeverPrintsTheSecret() {
    String repo = "rollback-test/rbdock-img-ok";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    String name = "rbdock-img-ok";
    String oldId = fx.run(name, repo + ":release-2", 18101, "DB_PASSWORD=" + SECRET, "MODE=blue");
    RollbackReport report;
    try (CapturedStderr log = new CapturedStderr()) {
      report = plan("rbdock-img-ok").step(strategy(name, rel)).verify(healthOn(18101)).build().run();
      assertThat(log.text()).contains("rbdock-img-ok").doesNotContain(SECRET);
    }

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
    InspectContainerResponse now = inspect(name);
    assertThat(now.getId()).isNotEqualTo(oldId);
    assertThat(now.getImageId()).isEqualTo(rel.resolve("1").imageId());
    assertThat(now.getConfig().getImage()).isEqualTo(repo + ":release-1");
    assertThat(Arrays.asList(now.getConfig().getEnv())).contains("DB_PASSWORD=" + SECRET, "MODE=blue");
    assertThat(now.getHostConfig().getInit()).isTrue();
    assertThat(now.getHostConfig().getRestartPolicy().getName()).isEqualTo("unless-stopped");
    assertThat(now.getConfig().getLabels()).containsEntry("rbdock.test", "true").containsEntry("rbdock.release", "1");
    assertThat(ContainerSpec.from(now, null).portsText()).isEqualTo("127.0.0.1:18101->8080/tcp");
    assertThat(fx.docker.findContainer(oldId)).as("the replaced container is removed by default").isEmpty();
    assertThat(fx.docker.findContainer(name + "-rollback")).isEmpty();
    assertThat(DockerFixture.body("http://127.0.0.1:18101/")).isEqualTo("release-1\n");
    assertThat(report.steps().get(0).checkpoint()).contains("DB_PASSWORD", "MODE", "127.0.0.1:18101->8080/tcp")
        .doesNotContain(SECRET);
    assertThat(report.toJson()).doesNotContain(SECRET);
    assertThat(report.toText()).doesNotContain(SECRET);
  }

  @Test
  void refusesBeforeAnythingStopsWhenThePreviousTagIsGoneAndListsTheTagsThatExist() {
    String repo = "rollback-test/rbdock-img-gone";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    fx.tag(TestImages.HEALTHY, repo, "3");
    String name = "rbdock-img-gone";
    String oldId = fx.run(name, repo + ":release-2", 18102);
    String startedAt = inspect(name).getState().getStartedAt();
    fx.untag(repo + ":release-1");

    RollbackReport report = plan(name).step(strategy(name, rel)).verify(healthOn(18102)).build().run();

    assertThat(report.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(report.failure()).contains(repo + ":release-1 not found")
        .contains(repo + ":release-2, " + repo + ":release-3");
    assertThat(inspect(name).getId()).isEqualTo(oldId);
    assertThat(inspect(name).getState().getStartedAt()).as("never stopped").isEqualTo(startedAt);
    assertThat(fx.docker.findContainer(name + "-rollback")).isEmpty();
  }

  @Test
  void refusesATagMovedSinceItWasDeployed() {
    String repo = "rollback-test/rbdock-img-moved";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    fx.tag(TestImages.EXITS, repo, "1");
    String name = "rbdock-img-moved";
    fx.run(name, repo + ":release-2", 18103);

    RollbackReport report = plan(name).step(strategy(name, rel)).build().run();

    assertThat(report.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(report.failure()).contains("release tag " + repo + ":release-1 now names image")
        .contains("but was deployed as " + rel.registry().orElseThrow().read().get("1").imageId().substring(7, 19));
  }

  @Test
  void restoresTheOriginalWhenThePreviousImageIsAlsoBroken() {
    String repo = "rollback-test/rbdock-img-broken";
    ReleaseImages rel = releases(repo, TestImages.UNHEALTHY, TestImages.HEALTHY);
    String name = "rbdock-img-broken";
    String oldId = fx.run(name, repo + ":release-2", 18104);
    DockerFixture.await("original healthy", Duration.ofSeconds(10),
        () -> DockerFixture.status("http://127.0.0.1:18104/health") == 200);

    RollbackReport report = plan(name).step(strategy(name, rel)).verify(healthOn(18104)).build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(report.failure()).contains("unhealthy");
    assertThat(inspect(name).getId()).isEqualTo(oldId);
    assertThat(inspect(name).getState().getRunning()).isTrue();
    assertThat(DockerFixture.status("http://127.0.0.1:18104/health")).isEqualTo(200);
    assertThat(fx.docker.findContainer(name + "-rollback")).isEmpty();
  }

  @Test
  void restoresTheOriginalWhenThePreviousImageExitsAtStart() {
    String repo = "rollback-test/rbdock-img-exits";
    ReleaseImages rel = releases(repo, TestImages.EXITS, TestImages.HEALTHY);
    String name = "rbdock-img-exits";
    String oldId = fx.run(name, repo + ":release-2", 18105);

    RollbackReport report = plan(name).step(strategy(name, rel)).verify(healthOn(18105)).build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(report.failure()).containsAnyOf("exit code 3", "restarting").contains("release-3 cannot start");
    assertThat(inspect(name).getId()).isEqualTo(oldId);
    assertThat(DockerFixture.status("http://127.0.0.1:18105/health")).isEqualTo(200);
  }

  @Test
  void leavesTheOriginalRunningWhenTheDaemonRefusesTheCreate() {
    String repo = "rollback-test/rbdock-img-refused";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    String name = "rbdock-img-refused";
    String oldId = fx.run(name, repo + ":release-2", 18106);
    String startedAt = inspect(name).getState().getStartedAt();

    RollbackReport report = plan(name).step(strategy(name, rel).temporaryName("not a valid name!"))
        .verifyAfterRestore(VerificationChain.none()).build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(report.failure()).contains("docker refused to create container not a valid name!")
        .contains("HTTP 400").contains("Invalid container name");
    assertThat(inspect(name).getId()).isEqualTo(oldId);
    assertThat(inspect(name).getState().getStartedAt()).as("never stopped").isEqualTo(startedAt);
  }

  @Test
  void startsTheOriginalAgainWhenTheDaemonRefusesToStartTheNewContainerAfterTheStop() {
    String repo = "rollback-test/rbdock-img-nostart";
    ReleaseImages rel = releases(repo, TestImages.BROKEN_START, TestImages.HEALTHY);
    String name = "rbdock-img-nostart";
    // Without docker-init the runtime itself execs the entrypoint, so the daemon refuses the start (with init,
    // tini would start and exit 127 instead). Busybox as PID 1 then ignores SIGTERM: a short stop timeout.
    String oldId = fx.run(name, repo + ":release-2", false, 18107);

    RollbackReport report = plan(name).step(strategy(name, rel).stopTimeout(Duration.ofSeconds(1)))
        .verify(healthOn(18107)).build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(report.steps().get(0).actions()).anyMatch(a -> a.startsWith("stop " + name));
    assertThat(report.failure()).contains("docker refused to start container " + name + "-rollback")
        .contains("/no/such/entrypoint");
    assertThat(inspect(name).getId()).isEqualTo(oldId);
    assertThat(inspect(name).getState().getRunning()).isTrue();
    assertThat(DockerFixture.status("http://127.0.0.1:18107/health")).isEqualTo(200);
    assertThat(fx.docker.findContainer(name + "-rollback")).isEmpty();
  }

  @Test
  void keepsTheReplacedContainerStoppedForForensicsWhenAsked() {
    String repo = "rollback-test/rbdock-img-keep";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    String name = "rbdock-img-keep";
    String oldId = fx.run(name, repo + ":release-2", 0);

    RollbackReport report = plan(name).step(strategy(name, rel).keepReplacedContainer(true)).build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
    InspectContainerResponse kept = fx.docker.container(oldId);
    assertThat(kept.getName()).isEqualTo("/" + name + "-replaced-" + oldId.substring(0, 12));
    assertThat(kept.getState().getRunning()).isFalse();
    assertThat(report.steps().get(0).actions()).noneMatch(a -> a.startsWith("stop " + name + " (its host ports"));
    assertThat(inspect(name).getImageId()).isEqualTo(rel.resolve("1").imageId());
  }

  @Test
  void previewSaysWhatWouldHappenAndChangesNothing() {
    String repo = "rollback-test/rbdock-img-preview";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    String name = "rbdock-img-preview";
    String oldId = fx.run(name, repo + ":release-2", 18108);

    Preview p = plan(name).step(strategy(name, rel)).build().preview();

    assertThat(p.wouldProceed()).isTrue();
    assertThat(p.steps().get(0).actions()).anyMatch(a -> a.contains("would create " + name + "-rollback from "
        + repo + ":release-1")).anyMatch(a -> a.contains("would stop " + name + " first"));
    assertThat(inspect(name).getId()).isEqualTo(oldId);
    assertThat(fx.docker.findContainer(name + "-rollback")).isEmpty();
  }
}
