package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.rollback.Outcome;
import dev.rollback.Preview;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.HttpCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
    return VerificationChain.of(HttpCheck.get("http://127.0.0.1:" + port + "/health").expectStatus(200))
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
    assertThat(fx.docker.findContainer(oldId)).as("the replaced container is removed once verified").isEmpty();
    assertThat(fx.docker.findContainer(name + "-rollback")).isEmpty();
    assertThat(DockerFixture.body("http://127.0.0.1:18101/")).isEqualTo("release-1\n");
    assertThat(report.steps().get(0).checkpoint()).contains("DB_PASSWORD", "MODE", "127.0.0.1:18101->8080/tcp")
        .doesNotContain(SECRET);
    assertThat(report.toJson()).doesNotContain(SECRET);
    assertThat(report.toText()).doesNotContain(SECRET);
  }

  @Test
  void masksTheSecretWhenTheFailedContainerLogsIt() {
    String repo = "rollback-test/rbdock-img-leak";
    ReleaseImages rel = releases(repo, TestImages.LEAKS_SECRET, TestImages.HEALTHY);
    String name = "rbdock-img-leak";
    String oldId = fx.run(name, repo + ":release-2", 18109, "DB_PASSWORD=" + SECRET);
    RollbackReport report;
    try (CapturedStderr log = new CapturedStderr()) {
      report = plan(name).step(strategy(name, rel)).verify(healthOn(18109)).build().run();
      assertThat(log.text()).contains("connecting with password *** failed").doesNotContain(SECRET);
    }

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(report.failure()).contains("connecting with password *** failed").doesNotContain(SECRET);
    assertThat(report.toJson()).doesNotContain(SECRET);
    assertThat(report.toText()).doesNotContain(SECRET);
    assertThat(inspect(name).getId()).isEqualTo(oldId);
  }

  /** Starts a container the way {@code docker run -d --init -p 127.0.0.1:port:8080 -v /data image} does. */
  String runWithAnonymousVolume(String name, String image, int port, String... env) {
    String id = create(name, image, port, hc -> hc, env);
    DockerExecExecutor.of(fx.docker, name).run(dev.rollback.exec.Command.of("sh", "-c", "echo written-before > /data/marker"))
        .requireSuccess();
    return id;
  }

  /** Creates and starts a container with init, a published port, an anonymous volume at /data, and more. */
  String create(String name, String image, int port,
      java.util.function.UnaryOperator<com.github.dockerjava.api.model.HostConfig> more, String... env) {
    fx.removeQuietly(name);
    var hc = com.github.dockerjava.api.model.HostConfig.newHostConfig().withInit(true)
        .withPortBindings(new com.github.dockerjava.api.model.PortBinding(
            com.github.dockerjava.api.model.Ports.Binding.bindIpAndPort("127.0.0.1", port),
            com.github.dockerjava.api.model.ExposedPort.tcp(8080)));
    String id = fx.docker.client().createContainerCmd(image).withName(name).withHostConfig(more.apply(hc))
        .withEnv(env).withVolumes(new com.github.dockerjava.api.model.Volume("/data")).exec().getId();
    fx.cleanUpContainer(name);
    fx.docker.client().startContainerCmd(id).exec();
    return id;
  }

  String anonymousVolumeAt(InspectContainerResponse c, String path) {
    return c.getMounts().stream().filter(m -> path.equals(m.getDestination().getPath())).map(m -> m.getName())
        .findFirst().orElse(null);
  }

  /** A check that records, while the plan verifies, whether the original container still exists and how. */
  static final class OriginalSeen implements dev.rollback.verify.Check {
    final DockerFixture fx;
    final String id;
    final boolean pass;
    volatile String seen = "never checked";

    OriginalSeen(DockerFixture fx, String id, boolean pass) {
      this.fx = fx;
      this.id = id;
      this.pass = pass;
    }

    @Override
    public String describe() {
      return "original " + id.substring(0, 12) + " is kept";
    }

    @Override
    public dev.rollback.verify.CheckResult check(dev.rollback.RollbackContext ctx) {
      seen = fx.docker.findContainer(id).map(c -> c.getName() + (c.getState().getRunning() ? " running" : " stopped"))
          .orElse("gone");
      return pass ? dev.rollback.verify.CheckResult.pass(seen) : dev.rollback.verify.CheckResult.fail(seen);
    }
  }

  @Test
  void restoresTheSameOriginalContainerWithItsAnonymousVolumeWhenThePlansVerificationFails() {
    String repo = "rollback-test/rbdock-img-anon";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    String name = "rbdock-img-anon";
    String oldId = runWithAnonymousVolume(name, repo + ":release-2", 18110, "DB_PASSWORD=" + SECRET);
    String oldVolume = anonymousVolumeAt(inspect(name), "/data");
    OriginalSeen during = new OriginalSeen(fx, oldId, false);

    RollbackReport report = plan(name).step(strategy(name, rel))
        .verify(VerificationChain.of(during).retry(Retry.every(Duration.ofMillis(100)).attempts(2)))
        .verifyAfterRestore(VerificationChain.of(HttpCheck.get("http://127.0.0.1:18110/").expectStatus(200))
            .retry(Retry.every(Duration.ofMillis(100)).deadline(Duration.ofSeconds(10))))
        .build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(during.seen).as("the original is kept, stopped and renamed, while the plan verifies")
        .isEqualTo("/" + name + "-replaced-" + oldId.substring(0, 12) + " stopped");
    InspectContainerResponse now = inspect(name);
    assertThat(now.getId()).as("the original itself is back, not a copy made from its spec").isEqualTo(oldId);
    assertThat(now.getState().getRunning()).isTrue();
    assertThat(anonymousVolumeAt(now, "/data")).isEqualTo(oldVolume);
    assertThat(DockerExecExecutor.of(fx.docker, name).run(dev.rollback.exec.Command.of("cat", "/data/marker"))
        .stdout()).isEqualTo("written-before\n");
    assertThat(report.steps().get(0).actions()).noneMatch(a -> a.startsWith("recreate"));
    assertThat(fx.docker.findContainer(name + "-rollback")).isEmpty();
    assertThat(DockerFixture.body("http://127.0.0.1:18110/")).isEqualTo("release-2\n");
    assertThat(report.toJson()).doesNotContain(SECRET);
  }

  @Test
  void theNewContainerGetsAFreshAnonymousVolumeAtTheSamePathAndTheOriginalGoesOnlyAfterVerification() {
    String repo = "rollback-test/rbdock-img-anon-ok";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    String name = "rbdock-img-anon-ok";
    String oldId = runWithAnonymousVolume(name, repo + ":release-2", 18112);
    String oldVolume = anonymousVolumeAt(inspect(name), "/data");
    OriginalSeen during = new OriginalSeen(fx, oldId, true);

    RollbackReport report;
    try {
      report = plan(name).step(strategy(name, rel))
          .verify(VerificationChain.of(during, HttpCheck.get("http://127.0.0.1:18112/health").expectStatus(200))
              .retry(Retry.every(Duration.ofMillis(100)).deadline(Duration.ofSeconds(10))))
          .build().run();

      assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(during.seen).isEqualTo("/" + name + "-replaced-" + oldId.substring(0, 12) + " stopped");
      assertThat(fx.docker.findContainer(oldId)).as("removed once verified").isEmpty();
      InspectContainerResponse now = inspect(name);
      String newVolume = anonymousVolumeAt(now, "/data");
      assertThat(newVolume).as("a fresh anonymous volume at /data").isNotNull().isNotEqualTo(oldVolume);
      assertThat(fx.docker.client().inspectVolumeCmd(oldVolume).exec().getName())
          .as("the original's data is not deleted with it").isEqualTo(oldVolume);
      assertThat(report.steps().get(0).actions()).anyMatch(a -> a.contains(oldVolume) && a.contains("kept"));
    } finally {
      try {
        fx.docker.client().removeVolumeCmd(oldVolume).exec();
      } catch (RuntimeException ignored) {
        // in use or gone
      }
    }
  }

  @Test
  void recreatesTheOriginalFromItsCheckpointOnlyWhenSomeoneElseRemovedIt() {
    String repo = "rollback-test/rbdock-img-verify";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    String name = "rbdock-img-verify";
    String oldId = fx.run(name, repo + ":release-2", 18111, "DB_PASSWORD=" + SECRET);
    String oldImage = inspect(name).getImageId();
    dev.rollback.verify.Check removesOriginal = new dev.rollback.verify.Check() {
      @Override
      public String describe() {
        return "someone removes the original";
      }

      @Override
      public dev.rollback.verify.CheckResult check(dev.rollback.RollbackContext ctx) {
        fx.docker.client().removeContainerCmd(oldId).withForce(true).exec();
        return dev.rollback.verify.CheckResult.fail("removed");
      }
    };

    RollbackReport report = plan(name).step(strategy(name, rel))
        .verify(VerificationChain.of(removesOriginal).retry(Retry.every(Duration.ofMillis(100)).attempts(1)))
        .verifyAfterRestore(VerificationChain.of(HttpCheck.get("http://127.0.0.1:18111/").expectStatus(200))
            .retry(Retry.every(Duration.ofMillis(100)).deadline(Duration.ofSeconds(10))))
        .build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(report.steps().get(0).actions()).anyMatch(a -> a.startsWith("recreate " + name + " from its checkpoint"));
    InspectContainerResponse now = inspect(name);
    assertThat(now.getId()).isNotEqualTo(oldId);
    assertThat(now.getImageId()).isEqualTo(oldImage);
    assertThat(Arrays.asList(now.getConfig().getEnv())).contains("DB_PASSWORD=" + SECRET);
    assertThat(DockerFixture.body("http://127.0.0.1:18111/")).isEqualTo("release-2\n");
    assertThat(report.toJson()).doesNotContain(SECRET);
  }

  @Test
  void aRestoreThatCannotStartTheOriginalSaysWhereItIsAndTheOneCommandThatBringsItBack() throws Exception {
    String repo = "rollback-test/rbdock-img-where";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    String name = "rbdock-img-where";
    Path bind = java.nio.file.Files.createDirectories(tmp.resolve("where-bind"));
    // a --mount bind (unlike -v) is never created by the daemon when its source is missing
    String oldId = create(name, repo + ":release-2", 18114, hc -> hc.withMounts(List.of(
        new com.github.dockerjava.api.model.Mount().withType(com.github.dockerjava.api.model.MountType.BIND)
            .withSource(bind.toString()).withTarget("/host"))));
    // While the plan verifies, the original's bind source disappears: the daemon will refuse to start it again.
    dev.rollback.verify.Check removesBindSource = new dev.rollback.verify.Check() {
      @Override
      public String describe() {
        return "the host directory goes away";
      }

      @Override
      public dev.rollback.verify.CheckResult check(dev.rollback.RollbackContext ctx) {
        try {
          java.nio.file.Files.delete(bind);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return dev.rollback.verify.CheckResult.fail("gone");
      }
    };

    RollbackReport report = plan(name).step(strategy(name, rel).reconnectWithin(Duration.ZERO))
        .verify(VerificationChain.of(removesBindSource).retry(Retry.once())).build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.FAILED);
    String short12 = oldId.substring(0, 12);
    assertThat(report.actionsRequired()).singleElement().asString()
        .startsWith("step 1 (" + strategy(name, rel).describe() + "): the original container " + short12
            + " exists, stopped, named " + name + ". Do: docker start " + name + " (the restore stopped on: ")
        .contains("start container " + name);
    assertThat(fx.docker.container(name).getId()).isEqualTo(oldId);
    assertThat(report.toText()).doesNotContain("by hand");
  }

  @Test
  void aDaemonThatRestartsDuringTheRollbackIsWaitedForAndTheOriginalComesBack() {
    String repo = "rollback-test/rbdock-img-restart";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    String name = "rbdock-img-restart";
    String oldId = fx.run(name, repo + ":release-2", 18115);
    DaemonRestart restart = DaemonRestart.ofRunningDaemon(fx.env);
    // The new container's first readiness look stops dockerd (its containers die with SIGTERM) and starts it
    // again 3 s later, as a daemon upgrade or crash-restart does.
    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
    dev.rollback.verify.Check restartsTheDaemon = new dev.rollback.verify.Check() {
      @Override
      public String describe() {
        return "dockerd restarts";
      }

      @Override
      public dev.rollback.verify.CheckResult check(dev.rollback.RollbackContext ctx) {
        if (once.compareAndSet(false, true)) {
          restart.stopThenStartAfter(Duration.ofSeconds(3));
        }
        return dev.rollback.verify.CheckResult.fail("restarting");
      }
    };
    RollbackReport report;
    try {
      report = plan(name).step(strategy(name, rel).readiness(ContainerReadiness.defaults()
              .deadline(Duration.ofSeconds(30)).dockerHealth(false).andCheck(restartsTheDaemon)))
          .verify(healthOn(18115))
          .verifyAfterRestore(VerificationChain.of(HttpCheck.get("http://127.0.0.1:18115/").expectStatus(200))
              .retry(Retry.every(Duration.ofMillis(100)).deadline(Duration.ofSeconds(10))))
          .build().run();
    } finally {
      restart.awaitBack(fx.docker);
    }

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(report.steps().get(0).actions()).anyMatch(a -> a.contains("stopped answering"))
        .anyMatch(a -> a.contains("answers again after"));
    InspectContainerResponse now = inspect(name);
    assertThat(now.getId()).isEqualTo(oldId);
    assertThat(now.getState().getRunning()).isTrue();
    assertThat(fx.docker.findContainer(name + "-rollback")).isEmpty();
    assertThat(report.actionsRequired()).isEmpty();
  }

  @Test
  void aRestoredOriginalIsNotHeldToTheNewReleasesReadinessCheck() {
    String repo = "rollback-test/rbdock-img-ready";
    ReleaseImages rel = releases(repo, TestImages.UNHEALTHY, TestImages.HEALTHY);
    String name = "rbdock-img-ready";
    String oldId = fx.run(name, repo + ":release-2", 18113);
    DockerFixture.await("original healthy", Duration.ofSeconds(10),
        () -> "healthy".equals(inspect(name).getState().getHealth().getStatus()));
    // Neither release serves /ready: the check is for the release rolled back to, which never gets ready.
    ContainerReadiness readiness = ContainerReadiness.defaults().deadline(Duration.ofSeconds(5))
        .andCheck(HttpCheck.get("http://127.0.0.1:18113/ready").expectStatus(200));

    RollbackReport report = plan(name).step(strategy(name, rel).readiness(readiness)).verify(healthOn(18113))
        .build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(report.actionsRequired()).isEmpty();
    assertThat(inspect(name).getId()).isEqualTo(oldId);
    assertThat(inspect(name).getState().getRunning()).isTrue();
    assertThat(DockerFixture.status("http://127.0.0.1:18113/health")).isEqualTo(200);
  }

  @Test
  void keepsNetworksAliasesAndVolumesOfTheOriginal() throws Exception {
    String repo = "rollback-test/rbdock-img-net";
    ReleaseImages rel = releases(repo, TestImages.HEALTHY, TestImages.UNHEALTHY);
    String name = "rbdock-img-net";
    String net = "rbdock-img-net-a";
    String net2 = "rbdock-img-net-b";
    String vol = "rbdock-img-net-data";
    Path bind = java.nio.file.Files.createDirectories(tmp.resolve("bind"));
    java.nio.file.Files.writeString(bind.resolve("hello"), "from the host\n");
    try {
      fx.docker.client().createNetworkCmd().withName(net).exec();
      fx.docker.client().createNetworkCmd().withName(net2).exec();
      fx.docker.client().createVolumeCmd().withName(vol).exec();
      fx.removeQuietly(name);
      var hc = com.github.dockerjava.api.model.HostConfig.newHostConfig().withInit(true).withNetworkMode(net)
          .withBinds(new com.github.dockerjava.api.model.Bind(vol, new com.github.dockerjava.api.model.Volume("/data")),
              new com.github.dockerjava.api.model.Bind(bind.toString(),
                  new com.github.dockerjava.api.model.Volume("/host"), com.github.dockerjava.api.model.AccessMode.ro));
      String id = fx.docker.client().createContainerCmd(repo + ":release-2").withName(name).withHostConfig(hc)
          .withAliases("api").exec().getId();
      fx.cleanUpContainer(name);
      fx.docker.client().connectToNetworkCmd().withContainerId(id).withNetworkId(net2)
          .withContainerNetwork(new com.github.dockerjava.api.model.ContainerNetwork().withAliases("api-b")).exec();
      fx.docker.client().startContainerCmd(id).exec();
      DockerExecExecutor.of(fx.docker, name).run(dev.rollback.exec.Command.of("sh", "-c", "echo kept > /data/marker"))
          .requireSuccess();

      RollbackReport report = plan(name).step(strategy(name, rel)).build().run();

      assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(report.steps().get(0).actions()).as("no host ports: started beside the original")
          .noneMatch(a -> a.contains("must be free"));
      InspectContainerResponse now = inspect(name);
      assertThat(now.getId()).isNotEqualTo(id);
      assertThat(now.getNetworkSettings().getNetworks()).containsOnlyKeys(net, net2);
      assertThat(now.getNetworkSettings().getNetworks().get(net).getAliases()).contains("api");
      assertThat(now.getNetworkSettings().getNetworks().get(net2).getAliases()).contains("api-b");
      DockerExecExecutor inNew = DockerExecExecutor.of(fx.docker, name);
      assertThat(inNew.run(dev.rollback.exec.Command.of("cat", "/data/marker", "/host/hello")).stdout())
          .isEqualTo("kept\nfrom the host\n");
    } finally {
      fx.removeQuietly(name);
      for (String n : List.of(net, net2)) {
        try {
          fx.docker.client().removeNetworkCmd(n).exec();
        } catch (RuntimeException ignored) {
          // not there
        }
      }
      try {
        fx.docker.client().removeVolumeCmd(vol).exec();
      } catch (RuntimeException ignored) {
        // not there
      }
    }
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
