package dev.rollback.examples.seed002;

import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.db.BackupCatalog;
import dev.rollback.db.BackupFormat;
import dev.rollback.db.DbRestoreRollback;
import dev.rollback.db.PostgresDatabase;
import dev.rollback.db.SqlCheck;
import dev.rollback.db.Writers;
import dev.rollback.docker.BlueGreenRollback;
import dev.rollback.docker.ContainerReadiness;
import dev.rollback.docker.Docker;
import dev.rollback.docker.DockerExecExecutor;
import dev.rollback.docker.ImageTagRollback;
import dev.rollback.docker.NginxUpstreamSwitch;
import dev.rollback.docker.ReleaseImages;
import dev.rollback.drill.RollbackDrill;
import dev.rollback.examples.support.AppImage;
import dev.rollback.examples.support.Containers;
import dev.rollback.examples.support.Dirs;
import dev.rollback.examples.support.OwnNginx;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Sql;
import dev.rollback.examples.support.TrafficMetrics;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.trigger.Trigger;
import dev.rollback.trigger.Watchdog;
import dev.rollback.verify.CommandCheck;
import dev.rollback.verify.HttpCheck;
import dev.rollback.verify.PrometheusCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Seed 002's production, wired through the SDK. Two releases of the app, {@code rbseed/app002:release-1}
 * (healthy) and {@code release-2} (no /health: 404); PostgreSQL database {@code rbseed002} with a {@code users}
 * table and a gzipped SQL dump {@code pre-deployment-*.sql.gz} taken before the deploy (seed 002's
 * {@code pg_dump | gzip}); an nginx of the example's own on 127.0.0.1:18310 proxying to blue
 * ({@code rbseed-002-app-blue}, 18311). The bad deploy puts release 2 into blue and deletes users.
 *
 * <ul>
 *   <li>{@link #automaticPlan()}: restore the database from the newest gzip dump (the preview states the data
 *       that will be lost), then blue-green back to release 1 (green on 18312, nginx switched, blue stopped), then
 *       seed 002's verify-rollback.sh: /health and /api/v1/status through nginx, a command inside the green
 *       container, and the Prometheus error-rate query; fired by a watchdog after 3 consecutive failed health
 *       checks ({@link #drill}).</li>
 *   <li>{@link #imagePlan()}: seed 002's rollback-image.sh: container {@code rbseed-002-img} (18313) back to the
 *       previous image, the old one stopped only once the new one is created.</li>
 * </ul>
 *
 * <p>Stand-ins: busybox httpd for the app; {@code busybox wget} inside the container instead of {@code python -c};
 * the error rate comes from {@link TrafficMetrics} (a probe through nginx every 100 ms, scraped by the real
 * Prometheus), counting every non-2xx answer as an error (busybox httpd answers a missing /health with 404, not
 * 5xx), over a 5 s window instead of 1 min so the drill need not wait a minute for the window to clear.
 */
public final class Seed002App implements AutoCloseable {
  /** The image repository. */
  public static final String REPOSITORY = "rbseed/app002";
  /** The container serving through nginx. */
  public static final String BLUE = "rbseed-002-app-blue";
  /** Green, started by the blue-green rollback. */
  public static final String GREEN = "rbseed-002-app-green";
  /** The container of the image-rollback scenario. */
  public static final String IMAGE_APP = "rbseed-002-img";
  /** nginx's port. */
  public static final int PROXY_PORT = 18310;
  /** Blue's, green's and the image scenario's ports. */
  public static final int BLUE_PORT = 18311;
  /** Green's port. */
  public static final int GREEN_PORT = 18312;
  /** The image scenario's port. */
  public static final int IMAGE_PORT = 18313;
  /** The database. */
  public static final String DATABASE = "rbseed002";
  /** Consecutive failed health checks that fire the rollback (seed 002: "3 consecutive fails: automatic"). */
  public static final int FAILURES_TO_TRIGGER = 3;

  private final SeedEnv env;
  private final Path root;
  private final Docker docker;
  private final ReleaseImages images;
  private final PostgresDatabase db;
  private final BackupCatalog catalog;
  private OwnNginx nginx;
  private TrafficMetrics metrics;

  private Seed002App(SeedEnv env) {
    this.env = env;
    this.root = Dirs.temp("rbseed-002-");
    this.docker = Docker.at(URI.create(env.get("docker.host")));
    this.images = ReleaseImages.of(docker, REPOSITORY).recordedIn(root.resolve("images"));
    this.db = env.postgres(DATABASE);
    this.catalog = BackupCatalog.at(root.resolve("backups"));
  }

  /**
   * Builds both releases, creates the database with three users and its pre-deployment gzip dump, starts blue
   * (release 1) behind nginx and the traffic metrics.
   *
   * @param env the servers
   * @return the app, healthy, before the bad deploy
   */
  public static Seed002App start(SeedEnv env) {
    Seed002App app = new Seed002App(env);
    try {
      String base = env.get("docker.busybox_image");
      AppImage.buildHealthyAndBroken(base, app.images);
      Sql.recreatePostgresDatabase(app.maintenance(), DATABASE);
      Sql.exec(app.db, "CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL)",
          "INSERT INTO users VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')");
      app.catalog.create(RollbackContext.standalone("rbseed002"), app.db, BackupCatalog.PRE_DEPLOYMENT,
          BackupFormat.PG_SQL_GZ);
      Containers.run(app.docker, BLUE, app.images.reference("1"), BLUE_PORT, "APP_ENV=production");
      app.nginx = OwnNginx.start(env.get("nginx.binary"), app.root.resolve("nginx"), PROXY_PORT,
          "127.0.0.1:" + BLUE_PORT);
      app.metrics = TrafficMetrics.start("rbseed002", app.nginx.url("/health"), env.port("prometheus.scrape_port"));
      return app;
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  private PostgresDatabase maintenance() {
    return env.postgresMaintenance();
  }

  /** The bad deploy: blue replaced by release 2 (no /health), and a migration that deletes users 2 and 3. */
  public void deployBadRelease() {
    Containers.run(docker, BLUE, images.reference("2"), BLUE_PORT, "APP_ENV=production");
    Sql.exec(db, "DELETE FROM users WHERE id > 1");
  }

  /** @return /health through nginx */
  public HttpCheck health() {
    return HttpCheck.get(nginx.url("/health")).expectStatus(200).timeout(Duration.ofSeconds(2));
  }

  /** @return seed 002's verify-rollback.sh as a chain, polled every 250 ms for up to 30 s */
  public VerificationChain verification() {
    return VerificationChain.of(
            health(),
            HttpCheck.get(nginx.url("/api/v1/status")).expectStatus(200),
            CommandCheck.of(DockerExecExecutor.of(docker, GREEN),
                Command.of("/bin/busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:8080/health"))
                .outputContains("ok release-1"),
            PrometheusCheck.query(env.get("prometheus.url"), metrics.errorRatioQuery("5s")).below(0.01),
            SqlCheck.on(db, "SELECT count(*) FROM users").expectValue("3"))
        .retry(Retry.every(Duration.ofMillis(250)).deadline(Duration.ofSeconds(30)));
  }

  /**
   * The plan the watchdog fires: the database back to the newest gzip dump (writers: blue, stopped for the swap),
   * then blue-green to the previous release through nginx, then the verification script.
   *
   * @return the plan
   */
  public RollbackPlan automaticPlan() {
    NginxUpstreamSwitch nginxSwitch = NginxUpstreamSwitch.of(LocalExecutor.create(), nginx.upstreamFile.toString(),
        "app").nginxCommand(nginx.argv());
    return RollbackPlan.builder("rbseed002-production")
        .step(DbRestoreRollback.of(db).fromLatest(catalog)
            .stopWriters(Writers.commands(LocalExecutor.create(), Command.of("docker", "stop", "-t", "5", BLUE),
                Command.of("docker", "start", BLUE)))
            .checkRestored(restored -> SqlCheck.on(restored, "SELECT count(*) FROM users").expectValueAtLeast(1)))
        .step(BlueGreenRollback.of(docker, BLUE, images, nginxSwitch)
            .greenName(GREEN).greenPort(8080, GREEN_PORT)
            .readiness(ContainerReadiness.defaults().deadline(Duration.ofSeconds(20))
                .andCheck(HttpCheck.get("http://127.0.0.1:" + GREEN_PORT + "/health").expectStatus(200)))
            .verifyThroughProxy(health(), Duration.ofSeconds(20))
            .drain(Duration.ofMillis(500)))
        .verify(verification())
        .lock(TargetLock.inDirectory(root.resolve("locks")))
        .journal(Journal.jsonLines(root.resolve("rollback.jsonl")))
        .build();
  }

  /**
   * The drill: the bad deploy, a watchdog polling /health through nginx every 200 ms, the automatic rollback
   * after 3 consecutive failures.
   *
   * @param deployBad whether the drill's break deploys the bad release (false: the caller already did)
   * @return the drill
   */
  public RollbackDrill drill(boolean deployBad) {
    return RollbackDrill.named("seed002-automatic")
        .breakWith(() -> {
          if (deployBad) {
            deployBadRelease();
          }
        })
        .recoverWith(Watchdog.builder(automaticPlan())
            .trigger(Trigger.consecutiveFailures(health(), FAILURES_TO_TRIGGER))
            .every(Duration.ofMillis(200)))
        .verify(VerificationChain.of(health().bodyContains("ok release-1")).retry(Retry.once()))
        .dataCheck(SqlCheck.on(db, "SELECT count(*) FROM users").expectValue("3"))
        .detectionDeadline(Duration.ofSeconds(30))
        .build();
  }

  /** Starts {@link #IMAGE_APP} on the bad release 2, for the image-rollback scenario. */
  public void runImageAppOnBadRelease() {
    Containers.run(docker, IMAGE_APP, images.reference("2"), IMAGE_PORT, "APP_ENV=production");
  }

  /** @return rollback-image.sh: {@link #IMAGE_APP} back to the previous image, verified by /health */
  public RollbackPlan imagePlan() {
    HttpCheck direct = HttpCheck.get("http://127.0.0.1:" + IMAGE_PORT + "/health").expectStatus(200);
    return RollbackPlan.builder("rbseed002-image")
        .step(ImageTagRollback.of(docker, IMAGE_APP, images).toPrevious()
            .readiness(ContainerReadiness.defaults().andCheck(direct).deadline(Duration.ofSeconds(20)))
            .stopTimeout(Duration.ofSeconds(5)))
        .verify(VerificationChain.of(direct.bodyContains("ok release-1"))
            .retry(Retry.every(Duration.ofMillis(100)).deadline(Duration.ofSeconds(20))))
        .lock(TargetLock.inDirectory(root.resolve("locks")))
        .journal(Journal.jsonLines(root.resolve("rollback.jsonl")))
        .build();
  }

  /** @return the database */
  public PostgresDatabase db() {
    return db;
  }

  /** @return the backup catalogue */
  public BackupCatalog catalog() {
    return catalog;
  }

  /** @return nginx */
  public OwnNginx nginx() {
    return nginx;
  }

  /** @return the daemon */
  public Docker docker() {
    return docker;
  }

  /** Stops metrics and nginx, removes containers, tags, databases (also what a swap leaves) and the root. */
  @Override
  public void close() {
    try {
      if (metrics != null) {
        metrics.close();
      }
      if (nginx != null) {
        nginx.close();
      }
      Containers.remove(docker, BLUE, GREEN, IMAGE_APP);
      AppImage.removeTags(images.reference("1"), images.reference("2"));
      Sql.dropPostgresDatabases(maintenance(), DATABASE);
    } finally {
      docker.close();
      Dirs.delete(root);
    }
  }
}
