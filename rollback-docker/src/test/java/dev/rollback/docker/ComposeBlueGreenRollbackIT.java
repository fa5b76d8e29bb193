package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.TestEnvironment;
import dev.rollback.verify.HttpCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComposeBlueGreenRollbackIT {
  static final LocalExecutor LOCAL = LocalExecutor.create();

  @TempDir
  Path tmp;
  DockerFixture fx;
  String compose;
  String blue;
  Path blueDir;
  Path greenDir;

  @BeforeEach
  void start() {
    fx = DockerFixture.start();
    compose = fx.env.get("compose.command");
  }

  @AfterEach
  void stop() {
    if (blue != null) {
      LOCAL.run(Command.of(compose, "-p", blue, "down", "-v").withWorkingDir(blueDir));
      if (Files.exists(greenDir.resolve("docker-compose.yml"))) {
        LOCAL.run(Command.of(compose, "-p", blue + "-green", "down", "-v").withWorkingDir(greenDir));
      }
    }
    fx.close();
  }

  static String composeFile(String repo, int defaultPort) {
    return "version: \"2.4\"\nservices:\n  web:\n    image: " + repo + ":release-${RELEASE}\n    init: true\n"
        + "    ports: [\"127.0.0.1:${HOST_PORT:-" + defaultPort + "}:8080\"]\n";
  }

  Path snapshot(String repo, int port, String release) throws Exception {
    Path snap = tmp.resolve("snapshot");
    Files.createDirectories(snap);
    Files.writeString(snap.resolve("docker-compose.yml"), composeFile(repo, port));
    Files.writeString(snap.resolve(".env"), "RELEASE=" + release + "\n");
    return snap;
  }

  void deployBlue(String name, String repo, int port) throws Exception {
    blue = name;
    blueDir = tmp.resolve("blue");
    greenDir = tmp.resolve("green");
    Files.createDirectories(blueDir);
    Files.writeString(blueDir.resolve("docker-compose.yml"), composeFile(repo, port));
    Files.writeString(blueDir.resolve(".env"), "RELEASE=2\n");
    LOCAL.run(Command.of(compose, "-p", blue, "up", "-d").withWorkingDir(blueDir).withTimeout(Duration.ofMinutes(2)))
        .requireSuccess();
  }

  String state(String project, Path dir) {
    String id = LOCAL.run(Command.of(compose, "-p", project, "ps", "-q", "web").withWorkingDir(dir)).stdoutTrimmed();
    return id.isEmpty() ? "none" : fx.docker.container(id).getState().getStatus();
  }

  RollbackPlan.Builder plan(String target) {
    return RollbackPlan.builder(target).lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl")));
  }

  TestNginx nginx(int port, int bluePort) {
    TestEnvironment env = TestEnvironment.load().requireServer("nginx", null, null, "nginx.binary");
    return TestNginx.start(env.get("nginx.binary"), tmp.resolve("nginx"), port, "127.0.0.1:" + bluePort);
  }

  @Test
  void bringsThePreviousConfigurationUpAsAnotherProjectAndSwitchesToIt() throws Exception {
    String repo = "rollback-test/rbdock-cbg-ok";
    fx.tag(TestImages.HEALTHY, repo, "1");
    fx.tag(TestImages.UNHEALTHY, repo, "2");
    deployBlue("rbdock-cbg-ok", repo, 18160);
    Path snap = snapshot(repo, 18160, "1");
    try (TestNginx nginx = nginx(18162, 18160)) {
      DockerFixture.await("blue via nginx", Duration.ofSeconds(10),
          () -> DockerFixture.body(nginx.url("/")).equals("release-2\n"));
      ComposeBlueGreenRollback s = ComposeBlueGreenRollback.of(LOCAL, blue, blueDir.toString(),
              ConfigSource.snapshotDir(snap.toString()), greenDir.toString(),
              NginxUpstreamSwitch.of(LOCAL, nginx.upstreamFile.toString(), "app").nginxCommand(nginx.argv()))
          .greenEnv("HOST_PORT", "18161").greenUpstream("127.0.0.1:18161").drain(Duration.ofMillis(200))
          .verifyThroughProxy(HttpCheck.get(nginx.url("/health")).expectStatus(200), Duration.ofSeconds(10));

      RollbackReport report = plan(blue).step(s).verify(VerificationChain.of(HttpCheck.get(nginx.url("/health")).expectStatus(200))
          .retry(Retry.every(Duration.ofMillis(100)).deadline(Duration.ofSeconds(10)))).build().run();

      assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(DockerFixture.body(nginx.url("/"))).isEqualTo("release-1\n");
      assertThat(state(blue, blueDir)).as("blue stopped, kept").isEqualTo("exited");
      assertThat(state(blue + "-green", greenDir)).isEqualTo("running");
      assertThat(DockerFixture.status("http://127.0.0.1:18161/health")).isEqualTo(200);
    }
  }

  @Test
  void takesGreenDownAndKeepsBlueServingWhenThePreviousReleaseExitsAtStart() throws Exception {
    String repo = "rollback-test/rbdock-cbg-back";
    fx.tag(TestImages.EXITS, repo, "1");
    fx.tag(TestImages.UNHEALTHY, repo, "2");
    deployBlue("rbdock-cbg-back", repo, 18163);
    Path snap = snapshot(repo, 18163, "1");
    try (TestNginx nginx = nginx(18165, 18163)) {
      String before = Files.readString(nginx.upstreamFile);
      ComposeBlueGreenRollback s = ComposeBlueGreenRollback.of(LOCAL, blue, blueDir.toString(),
              ConfigSource.snapshotDir(snap.toString()), greenDir.toString(),
              NginxUpstreamSwitch.of(LOCAL, nginx.upstreamFile.toString(), "app").nginxCommand(nginx.argv()))
          .greenEnv("HOST_PORT", "18164").greenUpstream("127.0.0.1:18164").deadline(Duration.ofSeconds(20));

      RollbackReport report = plan(blue).step(s).verify(VerificationChain.of(HttpCheck.get(nginx.url("/")).expectStatus(200))
          .retry(Retry.every(Duration.ofMillis(100)).deadline(Duration.ofSeconds(10)))).build().run();

      assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
      assertThat(report.failure()).contains("service web of project rbdock-cbg-back-green is");
      assertThat(Files.readString(nginx.upstreamFile)).isEqualTo(before);
      assertThat(DockerFixture.body(nginx.url("/"))).isEqualTo("release-2\n");
      assertThat(state(blue, blueDir)).isEqualTo("running");
      assertThat(state(blue + "-green", greenDir)).as("green is down").isEqualTo("none");
    }
  }
}
