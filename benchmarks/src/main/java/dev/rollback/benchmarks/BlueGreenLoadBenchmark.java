package dev.rollback.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.RollbackStrategy;
import dev.rollback.docker.BlueGreenRollback;
import dev.rollback.docker.ConfigSource;
import dev.rollback.docker.ContainerReadiness;
import dev.rollback.docker.Docker;
import dev.rollback.docker.DockerFixture;
import dev.rollback.verify.HttpCheck;
import dev.rollback.docker.NginxUpstreamSwitch;
import dev.rollback.docker.RecreateRollback;
import dev.rollback.docker.ReleaseImages;
import dev.rollback.docker.TestImages;
import dev.rollback.docker.TestNginx;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.TestEnvironment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failed requests during a rollback under a bounded load: 8 concurrent clients (JDK HttpClient) for 20 s against an
 * nginx proxy on loopback (its own master, {@code nginx -p}), each request {@code GET /}. The rollback starts 3 s
 * into the load. Blue-green ({@link BlueGreenRollback} with {@link NginxUpstreamSwitch}) against recreate
 * ({@link RecreateRollback} of a docker-compose project behind the same kind of proxy), measured the same way:
 * requests, failures (a non-200 answer or an I/O error) and downtime (the longest stretch between a failure's start
 * and the next success). Ports 127.0.0.1:18180-18189.
 */
public final class BlueGreenLoadBenchmark {
  static final LocalExecutor LOCAL = LocalExecutor.create();
  static final int CLIENTS = 8;
  static final Duration LOAD = Duration.ofSeconds(20);
  static final long MAX_REQUESTS = 2_000_000;

  private BlueGreenLoadBenchmark() {}

  /** What one load run saw. */
  record Load(long requests, long failed, double downtimeS, double rollbackS, String outcome) {}

  /**
   * Runs both scenarios.
   *
   * @param args none
   * @throws Exception on setup failure
   */
  public static void main(String[] args) throws Exception {
    TestEnvironment env = TestEnvironment.load();
    TestImages.ensureBuilt(env.get("docker.busybox_image"));
    String nginxBin = env.get("nginx.binary");
    String compose = env.get("compose.command");
    Path tmp = Files.createTempDirectory("rbdock-bench-bg-");
    try (Docker docker = Docker.at(URI.create(env.get("docker.host")))) {
      String repo = "rollback-test/rbdock-bench-bg";
      docker.client().tagImageCmd(TestImages.HEALTHY, repo, "release-1").withForce(true).exec();
      docker.client().tagImageCmd(TestImages.UNHEALTHY, repo, "release-2").withForce(true).exec();

      // Blue-green: blue (release 2) on 18181 behind nginx on 18180; green (release 1) on 18182.
      LOCAL.run(Command.of("docker", "rm", "-f", "rbdock-bench-blue", "rbdock-bench-blue-green"));
      LOCAL.run(Command.of("docker", "run", "-d", "--init", "--name", "rbdock-bench-blue", "-p",
          "127.0.0.1:18181:8080", repo + ":release-2")).requireSuccess();
      Load bg;
      try (TestNginx nginx = TestNginx.start(nginxBin, tmp.resolve("nginx-bg"), 18180, "127.0.0.1:18181")) {
        DockerFixture.await("blue via nginx", Duration.ofSeconds(10), () -> DockerFixture.status(nginx.url("/")) == 200);
        RollbackStrategy s = BlueGreenRollback.of(docker, "rbdock-bench-blue", ReleaseImages.of(docker, repo),
                NginxUpstreamSwitch.of(LOCAL, nginx.upstreamFile.toString(), "app").nginxCommand(nginx.argv()))
            .greenPort(8080, 18182)
            .readiness(ContainerReadiness.defaults().andCheck(HttpCheck.get("http://127.0.0.1:18182/health").expectStatus(200)))
            .verifyThroughProxy(HttpCheck.get(nginx.url("/health")).expectStatus(200), Duration.ofSeconds(10));
        bg = underLoad(nginx.url("/"), plan(tmp, "rbdock-bench-bg", s));
      } finally {
        LOCAL.run(Command.of("docker", "rm", "-f", "rbdock-bench-blue", "rbdock-bench-blue-green"));
      }
      report("blue_green_nginx", bg);

      // Recreate: a compose project (web on 18185) behind nginx on 18184.
      Path proj = tmp.resolve("proj");
      Path snap = tmp.resolve("snapshot");
      Files.createDirectories(proj);
      Files.createDirectories(snap);
      String file = "version: \"2.4\"\nservices:\n  web:\n    image: " + repo + ":release-${RELEASE}\n"
          + "    init: true\n    ports: [\"127.0.0.1:18185:8080\"]\n";
      Files.writeString(proj.resolve("docker-compose.yml"), file);
      Files.writeString(proj.resolve(".env"), "RELEASE=2\n");
      Files.writeString(snap.resolve("docker-compose.yml"), file);
      Files.writeString(snap.resolve(".env"), "RELEASE=1\n");
      String project = "rbdock-bench-recreate";
      LOCAL.run(Command.of(compose, "-p", project, "up", "-d").withWorkingDir(proj)).requireSuccess();
      Load rc;
      try (TestNginx nginx = TestNginx.start(nginxBin, tmp.resolve("nginx-rc"), 18184, "127.0.0.1:18185")) {
        DockerFixture.await("web via nginx", Duration.ofSeconds(10), () -> DockerFixture.status(nginx.url("/")) == 200);
        rc = underLoad(nginx.url("/"), plan(tmp, project, RecreateRollback.of(LOCAL, proj.toString(), project,
            ConfigSource.snapshotDir(snap.toString()))));
      } finally {
        LOCAL.run(Command.of(compose, "-p", project, "down").withWorkingDir(proj));
      }
      report("recreate_compose", rc);
    } finally {
      LOCAL.run(Command.of("docker", "rmi", "--no-prune", "rollback-test/rbdock-bench-bg:release-1",
          "rollback-test/rbdock-bench-bg:release-2"));
    }
  }

  static RollbackPlan plan(Path tmp, String target, RollbackStrategy s) {
    return RollbackPlan.builder(target).lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl"))).logging(false).step(s).build();
  }

  static void report(String scenario, Load l) {
    ObjectNode j = Figures.object();
    j.put("benchmark", "rollback_under_load");
    j.put("scenario", scenario);
    j.put("clients", CLIENTS);
    j.put("load_s", LOAD.toSeconds());
    j.put("requests", l.requests());
    j.put("failed", l.failed());
    j.put("downtime_s", Figures.round(l.downtimeS()));
    j.put("rollback_s", Figures.round(l.rollbackS()));
    j.put("outcome", l.outcome());
    Figures.print(j, "rollback under load, " + scenario + ": " + l.failed() + " failed of " + l.requests()
        + " requests (" + CLIENTS + " clients, " + LOAD.toSeconds() + " s), downtime " + Figures.secs(l.downtimeS())
        + ", rollback " + Figures.secs(l.rollbackS()) + ", " + l.outcome());
  }

  static Load underLoad(String url, RollbackPlan plan) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    AtomicLong requests = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    long end = start + LOAD.toNanos();
    // Per client: the start of its current failure stretch; the longest stretch overall.
    AtomicLong longestDown = new AtomicLong();
    List<Thread> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      Thread t = new Thread(() -> {
        long downSince = -1;
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
        while (System.nanoTime() < end && requests.incrementAndGet() <= MAX_REQUESTS) {
          long t0 = System.nanoTime();
          boolean ok;
          try {
            ok = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
          } catch (Exception e) {
            ok = false;
          }
          if (ok) {
            if (downSince >= 0) {
              long d = System.nanoTime() - downSince;
              longestDown.accumulateAndGet(d, Math::max);
              downSince = -1;
            }
          } else {
            failed.incrementAndGet();
            if (downSince < 0) {
              downSince = t0;
            }
          }
        }
        if (downSince >= 0) {
          longestDown.accumulateAndGet(System.nanoTime() - downSince, Math::max);
        }
      });
      t.start();
      clients.add(t);
    }
    Thread.sleep(3000);
    long r0 = System.nanoTime();
    RollbackReport report = plan.run();
    double rollbackS = (System.nanoTime() - r0) / 1e9;
    for (Thread t : clients) {
      t.join();
    }
    return new Load(Math.min(requests.get(), MAX_REQUESTS), failed.get(), longestDown.get() / 1e9, rollbackS,
        report.outcome().toString());
  }
}
