package dev.rollback.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.docker.ContainerReadiness;
import dev.rollback.docker.Docker;
import dev.rollback.docker.DockerFixture;
import dev.rollback.verify.HttpCheck;
import dev.rollback.docker.ImageTagRollback;
import dev.rollback.docker.ReleaseImages;
import dev.rollback.docker.TestImages;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.TestEnvironment;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Image-tag rollback, from the decision to verified healthy, side by side in one run: the SDK's
 * {@link ImageTagRollback} in a plan (readiness by HTTP on the published port, and by the image's Docker
 * HEALTHCHECK), seed 002's script approach ({@code docker stop}, {@code docker run}, {@code sleep 5}, {@code curl}),
 * and the bare floor ({@code docker stop} + {@code docker run} + poll until the first 200). Medians over reps
 * (args[0], default 7) after one uncounted warm-up round. Every container runs with {@code --init}; host port 127.0.0.1:18170.
 */
public final class ImageTagBenchmark {
  static final String REPO = "rollback-test/rbdock-bench";
  static final String NAME = "rbdock-bench-app";
  static final int PORT = 18170;
  static final String HEALTH = "http://127.0.0.1:" + PORT + "/health";
  static final LocalExecutor LOCAL = LocalExecutor.create();

  private ImageTagBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args optional: the number of reps (default 7)
   * @throws Exception on setup failure
   */
  public static void main(String[] args) throws Exception {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    TestEnvironment env = TestEnvironment.load();
    TestImages.ensureBuilt(env.get("docker.busybox_image"));
    Path tmp = Files.createTempDirectory("rbdock-bench-");
    try (Docker docker = Docker.at(URI.create(env.get("docker.host")))) {
      docker.client().tagImageCmd(TestImages.HEALTHY, REPO, "release-1").withForce(true).exec();
      docker.client().tagImageCmd(TestImages.UNHEALTHY, REPO, "release-2").withForce(true).exec();
      ReleaseImages releases = ReleaseImages.of(docker, REPO);
      Map<String, Supplier<Double>> approaches = new LinkedHashMap<>();
      approaches.put("sdk_http_readiness", () -> sdk(docker, releases, tmp, ContainerReadiness.defaults()
          .dockerHealth(false).interval(Duration.ofMillis(10)).andCheck(HttpCheck.get(HEALTH).expectStatus(200))));
      approaches.put("sdk_docker_healthcheck", () -> sdk(docker, releases, tmp, ContainerReadiness.defaults()
          .interval(Duration.ofMillis(10))));
      approaches.put("seed_script", ImageTagBenchmark::script);
      approaches.put("floor", ImageTagBenchmark::floor);
      Map<String, List<Double>> times = new LinkedHashMap<>();
      approaches.keySet().forEach(k -> times.put(k, new ArrayList<>()));
      for (int rep = -1; rep < reps; rep++) {
        // Interleaved, so drift on the machine hits every approach alike; round -1 warms the JVM and the daemon
        // up (a deploy tool is a long-lived process) and is not counted.
        for (Map.Entry<String, Supplier<Double>> a : approaches.entrySet()) {
          deployBad();
          double t = a.getValue().get();
          if (rep >= 0) {
            times.get(a.getKey()).add(t);
          }
        }
      }
      clean();
      double floor = Figures.median(times.get("floor"));
      for (Map.Entry<String, List<Double>> e : times.entrySet()) {
        double med = Figures.median(e.getValue());
        ObjectNode j = Figures.object();
        j.put("benchmark", "image_tag_rollback");
        j.put("approach", e.getKey());
        j.put("median_s", Figures.round(med));
        j.put("x_floor", Figures.round(med / floor));
        ArrayNode all = j.putArray("runs_s");
        e.getValue().forEach(v -> all.add(Figures.round(v)));
        j.put("reps", reps);
        Figures.print(j, "image-tag rollback, decision to verified healthy, " + e.getKey() + ": median "
            + Figures.secs(med) + " (" + String.format(java.util.Locale.ROOT, "%.2f", med / floor)
            + "x the floor) over " + reps + " runs");
      }
    } finally {
      clean();
      LOCAL.run(Command.of("docker", "rmi", "--no-prune", REPO + ":release-1", REPO + ":release-2"));
    }
  }

  static void deployBad() {
    clean();
    LOCAL.run(Command.of("docker", "run", "-d", "--init", "--restart", "always", "--name", NAME, "-p",
        "127.0.0.1:" + PORT + ":8080", "-e", "DB_PASSWORD=bench-secret", REPO + ":release-2")).requireSuccess();
    DockerFixture.await("bad release answering", Duration.ofSeconds(10), () -> DockerFixture.status(
        "http://127.0.0.1:" + PORT + "/") == 200);
  }

  static void clean() {
    LOCAL.run(Command.of("docker", "rm", "-f", NAME, NAME + "-rollback"));
  }

  static double sdk(Docker docker, ReleaseImages releases, Path tmp, ContainerReadiness readiness) {
    long t0 = System.nanoTime();
    RollbackReport r = RollbackPlan.builder("rbdock-bench").lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl"))).logging(false)
        .step(ImageTagRollback.of(docker, NAME, releases).readiness(readiness))
        .verify(VerificationChain.of(HttpCheck.get(HEALTH).expectStatus(200))
            .retry(Retry.every(Duration.ofMillis(10)).deadline(Duration.ofSeconds(30))))
        .build().run();
    double s = (System.nanoTime() - t0) / 1e9;
    if (!r.rolledBack()) {
      throw new IllegalStateException("the SDK's rollback did not succeed: " + r.toText());
    }
    return s;
  }

  static double script() {
    String script = String.join("\n",
        "docker stop " + NAME + " >/dev/null || true",
        "docker run -d --init --name " + NAME + "-rollback --restart always -p 127.0.0.1:" + PORT + ":8080 "
            + "-e DB_PASSWORD=bench-secret " + REPO + ":release-1 >/dev/null",
        "sleep 5",
        "if curl -fs " + HEALTH + " >/dev/null; then docker rm " + NAME + " >/dev/null; docker rename " + NAME
            + "-rollback " + NAME + "; else exit 1; fi");
    long t0 = System.nanoTime();
    LOCAL.run(Command.of("bash", "-c", script).withTimeout(Duration.ofSeconds(60))).requireSuccess();
    return (System.nanoTime() - t0) / 1e9;
  }

  static double floor() {
    long t0 = System.nanoTime();
    LOCAL.run(Command.of("docker", "stop", NAME)).requireSuccess();
    LOCAL.run(Command.of("docker", "run", "-d", "--init", "--name", NAME + "-rollback", "-p",
        "127.0.0.1:" + PORT + ":8080", REPO + ":release-1")).requireSuccess();
    while (DockerFixture.status(HEALTH) != 200) {
      if (System.nanoTime() - t0 > 30_000_000_000L) {
        throw new IllegalStateException("floor: no 200 within 30 s");
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }
}
