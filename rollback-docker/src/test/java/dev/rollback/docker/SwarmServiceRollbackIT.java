package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.transport.DockerHttpClient.Request.Method;
import dev.rollback.Outcome;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a single-node swarm the test initialises (advertising 127.0.0.1) and leaves again. */
class SwarmServiceRollbackIT {
  static final LocalExecutor LOCAL = LocalExecutor.create();
  static boolean weInitialised;
  static DockerFixture shared;

  @TempDir
  Path tmp;
  DockerFixture fx;
  final List<String> services = new ArrayList<>();

  @BeforeAll
  static void swarm() {
    shared = DockerFixture.start();
    String state = shared.docker.client().infoCmd().exec().getSwarm().getLocalNodeState().name();
    if (!"ACTIVE".equals(state)) {
      // The CLI fills in the swarm spec's defaults (an empty spec from the API leaves dispatcher and raft at 0).
      LOCAL.run(Command.of("docker", "swarm", "init", "--advertise-addr", "127.0.0.1", "--listen-addr",
          "127.0.0.1:2377").withTimeout(Duration.ofSeconds(60))).requireSuccess();
      weInitialised = true;
    }
  }

  @AfterAll
  static void leave() {
    if (weInitialised) {
      LOCAL.run(Command.of("docker", "swarm", "leave", "--force").withTimeout(Duration.ofSeconds(60)));
      LOCAL.run(Command.of("docker", "network", "rm", "docker_gwbridge"));
    }
    shared.close();
  }

  @BeforeEach
  void start() {
    fx = DockerFixture.start();
  }

  @AfterEach
  void stop() {
    services.forEach(s -> LOCAL.run(Command.of("docker", "service", "rm", s)));
    fx.close();
  }

  RollbackPlan.Builder plan(String target) {
    return RollbackPlan.builder(target).lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl")));
  }

  void create(String name, String image) {
    services.add(name);
    LOCAL.run(Command.of("docker", "service", "create", "--detach", "--quiet", "--name", name, "--replicas", "1",
        "--init", "--no-resolve-image", "--env", "DB_PASSWORD=swarm-s3cret", "--update-failure-action", "continue",
        image).withTimeout(Duration.ofSeconds(60))).requireSuccess();
  }

  void update(String name, String image) {
    LOCAL.run(Command.of("docker", "service", "update", "--detach", "--quiet", "--no-resolve-image", "--image",
        image, name).withTimeout(Duration.ofSeconds(60))).requireSuccess();
  }

  List<String> runningImages(String name) {
    JsonNode tasks = fx.docker.raw("tasks", Method.GET, "/tasks?filters="
        + java.net.URLEncoder.encode("{\"service\":[\"" + name + "\"],\"desired-state\":[\"running\"]}",
            java.nio.charset.StandardCharsets.UTF_8), null);
    List<String> out = new ArrayList<>();
    tasks.forEach(t -> {
      if ("running".equals(t.path("Status").path("State").asText())) {
        out.add(SwarmServiceRollback.taskImage(t));
      }
    });
    return out;
  }

  void awaitRunning(String name, String image) {
    try {
      DockerFixture.await(name + " running " + image, Duration.ofSeconds(60),
          () -> runningImages(name).equals(List.of(image)));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; running: " + runningImages(name) + "; docker service ps: "
          + LOCAL.run(Command.of("docker", "service", "ps", "--no-trunc", name)).stdout(), e);
    }
  }

  @Test
  void rollsBackToThePreviousSpecAndWaitsUntilTheTasksRunIt() {
    String name = "rbdock-swarm-ok";
    create(name, TestImages.HEALTHY);
    awaitRunning(name, TestImages.HEALTHY);
    update(name, TestImages.UNHEALTHY);

    RollbackReport report = plan(name).step(SwarmServiceRollback.of(fx.docker, name)
        .deadline(Duration.ofSeconds(60))).build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(runningImages(name)).containsExactly(TestImages.HEALTHY);
    assertThat(report.steps().get(0).actions()).anyMatch(a -> a.startsWith("converged: 1 task(s) running "
        + TestImages.HEALTHY + " of 1"));
    assertThat(report.toJson()).doesNotContain("swarm-s3cret");
  }

  @Test
  void appliesTheRecordedSpecAgainWhenThePreviousImageExitsAtStart() {
    String name = "rbdock-swarm-back";
    create(name, TestImages.EXITS);
    update(name, TestImages.HEALTHY);
    awaitRunning(name, TestImages.HEALTHY);

    RollbackReport report = plan(name).step(SwarmServiceRollback.of(fx.docker, name).deadline(Duration.ofSeconds(60))
        .maxFailedTasks(2)).build().run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(report.failure()).contains("does not converge on " + TestImages.EXITS);
    awaitRunning(name, TestImages.HEALTHY);
  }

  @Test
  void refusesAServiceThatWasNeverUpdated() {
    String name = "rbdock-swarm-none";
    create(name, TestImages.HEALTHY);

    RollbackReport report = plan(name).step(SwarmServiceRollback.of(fx.docker, name)).build().run();

    assertThat(report.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(report.failure()).contains("has no previous spec (it was never updated)");
  }
}
