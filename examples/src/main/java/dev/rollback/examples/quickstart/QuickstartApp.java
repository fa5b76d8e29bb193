package dev.rollback.examples.quickstart;

import dev.rollback.RollbackPlan;
import dev.rollback.drill.RollbackDrill;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.release.ReleaseDirectory;
import dev.rollback.release.ReleaseId;
import dev.rollback.release.ReleaseSpec;
import dev.rollback.release.SymlinkRollback;
import dev.rollback.trigger.Trigger;
import dev.rollback.trigger.Watchdog;
import dev.rollback.verify.HttpCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The quickstart's app, wired as a platform team would: an app root with releases, a service started from
 * {@code current}, a rollback plan, a watchdog, and a drill that breaks it on purpose. Used by {@link Quickstart}
 * and by the JUnit drill in this module's tests.
 */
public final class QuickstartApp implements AutoCloseable {
  /** The watchdog polls /health this often. */
  public static final Duration POLL_INTERVAL = Duration.ofMillis(200);
  /** Consecutive failed health checks that trigger the rollback (seed 002: 3). */
  public static final int FAILURES_TO_TRIGGER = 3;
  /** Releases 1 and 2 are healthy; 3 answers 500 on /health. */
  public final String[] ids;
  private final Path root;
  private final ReleaseDirectory releases;
  private final ServiceProcess service;
  private final HttpCheck health;

  private QuickstartApp(Path root) throws IOException {
    this.root = root;
    this.releases = ReleaseDirectory.at(root);
    Clock now = Clock.systemUTC();
    this.ids = new String[] {ReleaseId.now(Clock.offset(now, Duration.ofHours(-2))),
        ReleaseId.now(Clock.offset(now, Duration.ofHours(-1))), ReleaseId.now(now)};
    Files.createDirectories(root.resolve("shared"));
    Files.writeString(root.resolve("shared/.env"), "GREETING=hello\n");
    releases.deploy(release(ids[0], "1.0.0", 200));
    releases.deploy(release(ids[1], "1.1.0", 200));
    releases.activate(ids[1]);
    this.service = new ServiceProcess(root.resolve("current"), freePort());
    this.health = HttpCheck.get("http://127.0.0.1:" + service.port() + "/health").expectStatus(200)
        .timeout(Duration.ofSeconds(2));
  }

  /**
   * Creates the app in a new temporary directory with releases 1 and 2, release 2 current, and starts it.
   *
   * @return the running app
   * @throws IOException when the directory cannot be made
   */
  public static QuickstartApp start() throws IOException {
    QuickstartApp app = new QuickstartApp(Files.createTempDirectory("rollback-quickstart-"));
    app.service.restart();
    return app;
  }

  private static ReleaseSpec release(String id, String version, int health) {
    return ReleaseSpec.withId(id).file("version", version).file("health", Integer.toString(health))
        .sharedLink(".env").gitCommit("0000000" + version.replace(".", "")).image("quickstart:release-" + id);
  }

  /** @return the plan the watchdog fires: back to the previous release, restart, verify /health */
  public RollbackPlan plan() {
    return RollbackPlan.builder("quickstart")
        .step(SymlinkRollback.of(releases).toPrevious()
            .restartWith("restart the service from current", (ctx, r) -> service.restart()))
        .verify(VerificationChain.of(health).retry(Retry.every(Duration.ofMillis(100)).deadline(
            Duration.ofSeconds(15))))
        .lock(TargetLock.inDirectory(root.resolve("locks")))
        .journal(journal())
        .build();
  }

  /** @return the journal the plan writes, {@code <app>/rollback.log.jsonl} (seed 000's rollback.log) */
  public Journal journal() {
    return Journal.jsonLines(root.resolve("rollback.log.jsonl"));
  }

  /** @return the drill: deploy release 3 (broken), let the watchdog detect it and roll back */
  public RollbackDrill drill() {
    return RollbackDrill.named("quickstart")
        .breakWith(this::deployBrokenRelease)
        .recoverWith(Watchdog.builder(plan()).trigger(Trigger.consecutiveFailures(health, FAILURES_TO_TRIGGER))
            .every(POLL_INTERVAL))
        .verify(VerificationChain.of(health.bodyContains("1.1.0")).retry(Retry.once()))
        .detectionDeadline(Duration.ofSeconds(30))
        .build();
  }

  /** Deploys release 3, whose /health answers 500, makes it current and restarts the service. */
  public void deployBrokenRelease() {
    releases.deploy(release(ids[2], "1.2.0", 500));
    releases.activate(ids[2]);
    service.restart();
  }

  /** Restarts the service from {@code current}, as the rollback's restart hook does. */
  public void restartService() {
    service.restart();
  }

  /** @return the release directory */
  public ReleaseDirectory releases() {
    return releases;
  }

  /** @return the app root */
  public Path root() {
    return root;
  }

  /** Stops the service and deletes the app root. */
  @Override
  public void close() {
    service.close();
    try (var walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
