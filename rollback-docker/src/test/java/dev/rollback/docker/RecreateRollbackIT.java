package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.HttpCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecreateRollbackIT {
  static final String SECRET = "compose-s3cret-77a1";
  static final LocalExecutor LOCAL = LocalExecutor.create();

  @TempDir
  Path tmp;
  DockerFixture fx;
  String compose;
  Path proj;
  String project;

  @BeforeEach
  void start() {
    fx = DockerFixture.start();
    compose = fx.env.get("compose.command");
  }

  @AfterEach
  void stop() {
    if (project != null) {
      LOCAL.run(Command.of(compose, "-p", project, "down", "-v").withWorkingDir(proj));
    }
    fx.close();
  }

  static String composeFile(String repo, int port) {
    return "version: \"2.4\"\n"
        + "services:\n"
        + "  web:\n"
        + "    image: " + repo + ":release-${RELEASE}\n"
        + "    init: true\n"
        + "    ports: [\"127.0.0.1:" + port + ":8080\"]\n"
        + "    environment:\n"
        + "      DB_PASSWORD: ${DB_PASSWORD}\n"
        + "    volumes: [\"data:/data\"]\n"
        + "volumes:\n"
        + "  data: {}\n";
  }

  static String env(String release) {
    return "RELEASE=" + release + "\nDB_PASSWORD=" + SECRET + "\n";
  }

  /** Deploys a project at release 2 from {@code proj}. */
  void deploy(String name, String repo, int port) throws Exception {
    project = name;
    proj = tmp.resolve("proj");
    Files.createDirectories(proj);
    Files.writeString(proj.resolve("docker-compose.yml"), composeFile(repo, port));
    Files.writeString(proj.resolve(".env"), env("2"));
    LOCAL.run(Command.of(compose, "-p", project, "up", "-d").withWorkingDir(proj).withTimeout(Duration.ofMinutes(2)))
        .requireSuccess();
  }

  RollbackPlan.Builder plan(String target) {
    return RollbackPlan.builder(target).lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl")));
  }

  static VerificationChain healthOn(int port) {
    return VerificationChain.of(HttpCheck.get("http://127.0.0.1:" + port + "/health").expectStatus(200))
        .retry(Retry.every(Duration.ofMillis(100)).deadline(Duration.ofSeconds(10)));
  }

  String webImage() {
    String id = LOCAL.run(Command.of(compose, "-p", project, "ps", "-q", "web").withWorkingDir(proj)).stdoutTrimmed();
    return fx.docker.container(id).getImageId();
  }

  @Test
  void recreatesTheProjectFromAGitCommitKeepingVolumesAndNeverPrintingTheEnvFile() throws Exception {
    String repo = "rollback-test/rbdock-compose-git";
    fx.tag(TestImages.HEALTHY, repo, "1");
    fx.tag(TestImages.UNHEALTHY, repo, "2");
    Path git = tmp.resolve("git");
    Files.createDirectories(git.resolve("deploy"));
    Files.writeString(git.resolve("deploy/docker-compose.yml"), composeFile(repo, 18150));
    Files.writeString(git.resolve("deploy/.env"), env("1"));
    for (List<String> c : List.of(List.of("init", "-q"), List.of("add", "."),
        List.of("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "release 1"))) {
      List<String> argv = new java.util.ArrayList<>(List.of("git", "-C", git.toString()));
      argv.addAll(c);
      LOCAL.run(Command.of(argv)).requireSuccess();
    }
    String sha = LOCAL.run(Command.of("git", "-C", git.toString(), "rev-parse", "HEAD")).stdoutTrimmed();
    deploy("rbdock-compose-git", repo, 18150);
    LOCAL.run(Command.of(compose, "-p", project, "exec", "-T", "web", "sh", "-c", "echo kept > /data/marker")
        .withWorkingDir(proj)).requireSuccess();
    RecreateRollback strategy = RecreateRollback.of(LOCAL, proj.toString(), project,
        ConfigSource.gitCommit(git.toString(), sha, "deploy")).deadline(Duration.ofSeconds(30));

    RollbackReport report;
    try (CapturedStderr log = new CapturedStderr()) {
      report = plan(project).step(strategy).verify(healthOn(18150)).build().run();
      assertThat(log.text()).doesNotContain(SECRET);
    }

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(webImage()).isEqualTo(fx.docker.findImage(repo + ":release-1").orElseThrow().getId());
    assertThat(Files.readString(proj.resolve(".env"))).startsWith("RELEASE=1");
    assertThat(LOCAL.run(Command.of(compose, "-p", project, "exec", "-T", "web", "cat", "/data/marker")
        .withWorkingDir(proj)).stdoutTrimmed()).as("down without -v keeps volumes").isEqualTo("kept");
    assertThat(report.steps().get(0).actions()).anyMatch(a -> a.contains(compose) && a.contains(" down"))
        .noneMatch(a -> a.contains("down -v")).anyMatch(a -> a.contains("up -d"));
    assertThat(report.steps().get(0).checkpoint()).contains(".env (").contains("web=").doesNotContain(SECRET);
    assertThat(report.toJson()).doesNotContain(SECRET);
  }

  @Test
  void bringsTheSavedConfigurationBackWhenThePreviousReleaseExitsAtStart() throws Exception {
    String repo = "rollback-test/rbdock-compose-back";
    fx.tag(TestImages.EXITS, repo, "1");
    fx.tag(TestImages.HEALTHY, repo, "2");
    deploy("rbdock-compose-back", repo, 18151);
    String before = webImage();
    Path snap = tmp.resolve("snapshot");
    Files.createDirectories(snap);
    Files.writeString(snap.resolve("docker-compose.yml"), composeFile(repo, 18151));
    Files.writeString(snap.resolve(".env"), env("1"));

    RollbackReport report = plan(project).step(RecreateRollback.of(LOCAL, proj.toString(), project,
        ConfigSource.snapshotDir(snap.toString())).deadline(Duration.ofSeconds(20))).verify(healthOn(18151))
        .build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(report.failure()).contains("service web of project rbdock-compose-back is").contains("exit code 3");
    assertThat(Files.readString(proj.resolve(".env"))).isEqualTo(env("2"));
    assertThat(webImage()).isEqualTo(before);
    assertThat(DockerFixture.status("http://127.0.0.1:18151/health")).isEqualTo(200);
  }

  @Test
  void previewListsTheComposeCommandsAndChangesNothing() throws Exception {
    String repo = "rollback-test/rbdock-compose-preview";
    fx.tag(TestImages.HEALTHY, repo, "1");
    fx.tag(TestImages.UNHEALTHY, repo, "2");
    deploy("rbdock-compose-preview", repo, 18153);
    String before = webImage();
    Path snap = tmp.resolve("snapshot");
    Files.createDirectories(snap);
    Files.writeString(snap.resolve("docker-compose.yml"), composeFile(repo, 18153));
    Files.writeString(snap.resolve(".env"), env("1"));

    var preview = plan(project).step(RecreateRollback.of(LOCAL, proj.toString(), project,
        ConfigSource.snapshotDir(snap.toString()))).build().preview();

    assertThat(preview.wouldProceed()).as(preview.toString()).isTrue();
    assertThat(preview.steps().get(0).actions()).anyMatch(a -> a.equals("compose on local: " + compose))
        .anyMatch(a -> a.contains("would run on local: (cd " + proj + ") " + compose + " -p " + project
            + " -f docker-compose.yml down"))
        .anyMatch(a -> a.contains("up -d")).noneMatch(a -> a.contains(SECRET));
    assertThat(preview.steps().get(0).checkpoint()).contains(".env (").doesNotContain(SECRET);
    assertThat(Files.readString(proj.resolve(".env"))).isEqualTo(env("2"));
    assertThat(webImage()).isEqualTo(before);
  }

  @Test
  void refusesBeforeStoppingAnythingWhenThePreviousConfigurationIsMissing() throws Exception {
    String repo = "rollback-test/rbdock-compose-none";
    fx.tag(TestImages.HEALTHY, repo, "2");
    deploy("rbdock-compose-none", repo, 18152);
    String id = LOCAL.run(Command.of(compose, "-p", project, "ps", "-q", "web").withWorkingDir(proj)).stdoutTrimmed();
    Path empty = tmp.resolve("empty-snapshot");
    Files.createDirectories(empty);

    RollbackReport report = plan(project).step(RecreateRollback.of(LOCAL, proj.toString(), project,
        ConfigSource.snapshotDir(empty.toString()))).build().run();

    assertThat(report.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(report.failure()).contains("the previous configuration has no docker-compose.yml")
        .contains("snapshot " + empty).contains("nothing was stopped");
    assertThat(fx.docker.container(id).getState().getRunning()).isTrue();
  }
}
