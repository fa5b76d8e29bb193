package dev.rollback.examples.seed001;

import dev.rollback.RollbackPlan;
import dev.rollback.db.BackupCatalog;
import dev.rollback.db.DbRestoreRollback;
import dev.rollback.db.PostgresDatabase;
import dev.rollback.db.SqlCheck;
import dev.rollback.db.Writers;
import dev.rollback.docker.ContainerReadiness;
import dev.rollback.docker.Docker;
import dev.rollback.docker.ImageTagRollback;
import dev.rollback.docker.ReleaseImages;
import dev.rollback.examples.support.AppImage;
import dev.rollback.examples.support.Containers;
import dev.rollback.examples.support.Dirs;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Sql;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.HttpCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Seed 001's {@code production} instance, wired through the SDK: the app container {@code rbseed-001-app}
 * (127.0.0.1:18340, releases {@code rbseed/app001:release-1} healthy and {@code release-2} without /health), the
 * PostgreSQL database {@code rbseed001} with an {@code orders} table, and {@code instances/production/backups}
 * holding {@code pre-deployment-<time>.dump} ({@code pg_dump -Fc}, with a checksummed manifest) taken by the
 * deploy.
 *
 * <ul>
 *   <li>{@link #databasePlan()} is {@code ./rollback.sh production}: a safety backup {@code pre-rollback-<time>},
 *       the newest pre-deployment dump restored into a new database, the app (the writer) stopped only for the
 *       rename swap and started again, then health-check.sh (/health and a row count).</li>
 *   <li>{@link #fullPlan()} is the full rollback: the same database restore, then the app back to the previous
 *       image.</li>
 * </ul>
 *
 * <p>Differences from the script, on purpose: writers are down for the swap only, not for the whole restore
 * (the SDK's default swap mode; {@code restoreInPlace()} would match the script); the original database stays as
 * {@code rbseed001_kept_rb_<time>} once the rollback is verified. Stand-ins: busybox httpd for the app; a temporary directory for
 * {@code instances/production/backups}.
 */
public final class Seed001App implements AutoCloseable {
  /** The image repository. */
  public static final String REPOSITORY = "rbseed/app001";
  /** The app container, the database's writer. */
  public static final String APP = "rbseed-001-app";
  /** Its published port. */
  public static final int PORT = 18340;
  /** The database. */
  public static final String DATABASE = "rbseed001";

  private final SeedEnv env;
  private final Path root;
  private final Docker docker;
  private final ReleaseImages images;
  private final PostgresDatabase db;
  private final BackupCatalog catalog;

  private Seed001App(SeedEnv env) {
    this.env = env;
    this.root = Dirs.temp("rbseed-001-");
    this.docker = Docker.at(URI.create(env.get("docker.host")));
    this.images = ReleaseImages.of(docker, REPOSITORY).recordedIn(root.resolve("images"));
    this.db = env.postgres(DATABASE);
    this.catalog = BackupCatalog.at(root.resolve("instances/production/backups"));
  }

  /**
   * Builds both releases, creates the database with three orders, runs release 1, and takes the deploy's
   * pre-deployment dump.
   *
   * @param env the servers
   * @return the app, healthy
   */
  public static Seed001App start(SeedEnv env) {
    Seed001App app = new Seed001App(env);
    try {
      String base = env.get("docker.busybox_image");
      AppImage.buildHealthyAndBroken(base, app.images);
      Sql.recreatePostgresDatabase(app.maintenance(), DATABASE);
      Sql.exec(app.db, "CREATE TABLE orders (id int PRIMARY KEY, total numeric NOT NULL)",
          "INSERT INTO orders VALUES (1, 10.50), (2, 20.00), (3, 7.25)");
      Containers.run(app.docker, APP, app.images.reference("1"), PORT);
      app.catalog.create(app.db, BackupCatalog.PRE_DEPLOYMENT);
      return app;
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  private PostgresDatabase maintenance() {
    return env.postgresMaintenance();
  }

  /** A bad migration: every order's total zeroed, one order deleted. */
  public void breakDatabase() {
    Sql.exec(db, "UPDATE orders SET total = 0", "DELETE FROM orders WHERE id = 3");
  }

  /** A bad deploy of code and database: release 2 (no /health) and the bad migration. */
  public void deployBadRelease() {
    Containers.run(docker, APP, images.reference("2"), PORT);
    breakDatabase();
  }

  private DbRestoreRollback restore() {
    return DbRestoreRollback.of(db).fromLatest(catalog, BackupCatalog.PRE_DEPLOYMENT)
        .stopWriters(Writers.commands(LocalExecutor.create(), Command.of("docker", "stop", "-t", "5", APP),
            Command.of("docker", "start", APP)))
        .checkRestored(restored -> SqlCheck.on(restored, "SELECT count(*) FROM orders").expectValue("3"));
  }

  /** @return health-check.sh: /health answers 200 for release 1, and the orders are back */
  public VerificationChain healthCheck() {
    return VerificationChain.of(
            HttpCheck.get("http://127.0.0.1:" + PORT + "/health").expectStatus(200).bodyContains("release-1"),
            SqlCheck.on(db, "SELECT sum(total) FROM orders").expectValue("37.75"))
        .retry(Retry.every(Duration.ofMillis(200)).deadline(Duration.ofSeconds(30)));
  }

  /** @return {@code ./rollback.sh production}: the database from the newest pre-deployment dump */
  public RollbackPlan databasePlan() {
    return builder().step(restore()).build();
  }

  /** @return the full rollback: the database, then the code (the previous image) */
  public RollbackPlan fullPlan() {
    return builder().step(restore())
        .step(ImageTagRollback.of(docker, APP, images).toPrevious()
            .readiness(ContainerReadiness.defaults().deadline(Duration.ofSeconds(20))
                .andCheck(HttpCheck.get("http://127.0.0.1:" + PORT + "/health").expectStatus(200)))
            .stopTimeout(Duration.ofSeconds(5)))
        .build();
  }

  private RollbackPlan.Builder builder() {
    return RollbackPlan.builder("production").verify(healthCheck())
        .lock(TargetLock.inDirectory(root.resolve("locks")))
        .journal(Journal.jsonLines(root.resolve("rollback.jsonl")));
  }

  /** @return the database */
  public PostgresDatabase db() {
    return db;
  }

  /** @return the backups */
  public BackupCatalog catalog() {
    return catalog;
  }

  /** @return the daemon */
  public Docker docker() {
    return docker;
  }

  /** Removes the container, the tags, the databases (and what swaps left) and the root. */
  @Override
  public void close() {
    try {
      Containers.remove(docker, APP);
      AppImage.removeTags(images.reference("1"), images.reference("2"));
      Sql.dropPostgresDatabases(maintenance(), DATABASE);
    } finally {
      docker.close();
      Dirs.delete(root);
    }
  }
}
