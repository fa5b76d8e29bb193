package dev.rollback.examples.seed004;

import dev.rollback.RollbackPlan;
import dev.rollback.docker.CaddyAdminSwitch;
import dev.rollback.docker.ComposeBlueGreenRollback;
import dev.rollback.docker.ConfigSource;
import dev.rollback.docker.ContainerChecks;
import dev.rollback.docker.Docker;
import dev.rollback.docker.RecreateRollback;
import dev.rollback.examples.support.AppImage;
import dev.rollback.examples.support.Containers;
import dev.rollback.examples.support.Dirs;
import dev.rollback.examples.support.OwnCaddy;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Web;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.HttpCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import dev.rollback.volumes.DockerVolume;
import dev.rollback.volumes.VolumeBackup;
import dev.rollback.volumes.VolumeRestoreRollback;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Seed 004's two strategies on two compose stacks of the same app ({@link ComposeStack}: release 1 healthy,
 * release 2 without /health, records in an external volume), each with release 2 deployed badly:
 *
 * <ul>
 *   <li>Recreate (project {@code rbseed004}, 127.0.0.1:18350): {@link RecreateRollback} checkpoints the compose
 *       file, {@code .env} and every service's image id (the runbook's {@code .bak} copies and
 *       {@code current-images.txt}), runs {@code down} (never {@code -v}), writes the files as release 1's commit
 *       holds them ({@code git show <commit>:docker-compose.yml}, {@code .env}), {@code up -d}, and waits until
 *       the container runs and is healthy.</li>
 *   <li>Blue-Green (project {@code rbseed004bg} on 18351 behind a Caddy server of the example's own on 18353):
 *       {@link ComposeBlueGreenRollback} brings release 1 up as project {@code rbseed004bg-green} with
 *       {@code HOST_PORT=18352}, waits for it, switches Caddy's upstream through the admin API, verifies through
 *       Caddy, then stops blue.</li>
 * </ul>
 *
 * <p>On the recreate stack the bad release also rewrote the records; the plan's second step,
 * {@link VolumeRestoreRollback}, takes the runbook's volume backup (a safety archive of what the volume holds now,
 * {@code <volume>-<time>.tar.gz} with a sha256 manifest), then restores the archive taken at release 1's deploy,
 * stopping and starting the container that mounts it.
 *
 * <p>Both end with the runbook's post-rollback verification: container running, healthy, logs clean, /health,
 * and a data spot-check (the records are served as release 1 left them). Stand-ins: busybox httpd for the app;
 * records in a volume file instead of a database table.
 */
public final class Seed004App implements AutoCloseable {
  /** The image repository. */
  public static final String REPOSITORY = "rbseed/app004";
  /** The recreate stack's port. */
  public static final int RECREATE_PORT = 18350;
  /** Blue's port. */
  public static final int BLUE_PORT = 18351;
  /** Green's port. */
  public static final int GREEN_PORT = 18352;
  /** Caddy's port. */
  public static final int CADDY_PORT = 18353;
  private static final Pattern BAD_LOG = Pattern.compile("ERROR|panic|Segmentation fault");

  private final Path root;
  private final Docker docker;
  private final SeedEnv env;
  private ComposeStack recreate;
  private ComposeStack blue;
  private OwnCaddy caddy;
  private Path recordsBackup;

  private Seed004App(SeedEnv env) {
    this.env = env;
    this.root = Dirs.temp("rbseed-004-");
    this.docker = Docker.at(URI.create(env.get("docker.host")));
  }

  /**
   * Builds both releases and starts both stacks on release 1 with their records, and Caddy in front of blue.
   *
   * @param env the servers
   * @return the app
   */
  public static Seed004App start(SeedEnv env) {
    Seed004App app = new Seed004App(env);
    try {
      String base = env.get("docker.busybox_image");
      AppImage.release(base, "release-1", true).build(REPOSITORY + ":release-1");
      AppImage.release(base, "release-2", false).build(REPOSITORY + ":release-2");
      String compose = env.get("compose.command", "docker-compose");
      app.recreate = ComposeStack.create(compose, "rbseed004", app.root.resolve("recreate"), RECREATE_PORT);
      app.blue = ComposeStack.create(compose, "rbseed004bg", app.root.resolve("bluegreen"), BLUE_PORT);
      for (ComposeStack s : new ComposeStack[] {app.recreate, app.blue}) {
        LocalExecutor.create().run(Command.of("docker", "exec", s.container(), "/bin/busybox", "sh", "-c",
            "printf 'order-1\\norder-2\\norder-3\\n' > /www/data/records.txt")).requireSuccess();
      }
      app.recordsBackup = app.backups().backup(app.recordsVolume());
      app.caddy = OwnCaddy.start(URI.create(env.get("caddy.admin")), "rbseed-004", CADDY_PORT,
          "127.0.0.1:" + BLUE_PORT);
      Web.await("blue through Caddy", Duration.ofSeconds(20), () -> Web.status(app.caddy.url("/health")) == 200);
      return app;
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  /**
   * The bad deploy on both stacks: release 2 committed and brought up; on the recreate stack its "migration"
   * also rewrites the records in the volume.
   */
  public void deployBadRelease() {
    recreate.deployRelease2();
    LocalExecutor.create().run(Command.of("docker", "exec", recreate.container(), "/bin/busybox", "sh", "-c",
        "printf 'order-1\\nmigrated-by-release-2\\n' > /www/data/records.txt")).requireSuccess();
    blue.deployRelease2();
  }

  /** @return the recreate stack's records volume, read and written through a never-started busybox helper */
  public DockerVolume recordsVolume() {
    return DockerVolume.named(docker, recreate.volume()).withHelperImage(env.get("docker.busybox_image"));
  }

  /** @return where volume archives go: {@code <root>/backups}, {@code <volume>-<time>.tar.gz} with manifests */
  public VolumeBackup backups() {
    return VolumeBackup.at(root.resolve("backups"));
  }

  /** @return the archive of the records taken at the deploy of release 1 */
  public Path recordsBackup() {
    return recordsBackup;
  }

  /**
   * The runbook's post-rollback verification, polled every 250 ms for up to 30 s.
   *
   * @param container the container that should now serve
   * @param baseUrl where it is reached (directly, or through Caddy)
   * @return the chain
   */
  public VerificationChain verification(String container, String baseUrl) {
    return VerificationChain.of(
            ContainerChecks.running(docker, container),
            ContainerChecks.healthy(docker, container),
            ContainerChecks.logsClean(docker, container, BAD_LOG),
            HttpCheck.get(baseUrl + "/health").expectStatus(200).bodyContains("release-1"),
            HttpCheck.get(baseUrl + "/data/records.txt").expectStatus(200).bodyContains("order-3"))
        .retry(Retry.every(Duration.ofMillis(250)).deadline(Duration.ofSeconds(30)));
  }

  /**
   * @return the Recreate rollback of {@code rbseed004}: the configuration of release 1's commit, then the records
   *     volume from the archive taken at release 1's deploy (after a safety backup of what it holds now), verified
   */
  public RollbackPlan recreatePlan() {
    return RollbackPlan.builder("rbseed004")
        .step(RecreateRollback.of(LocalExecutor.create(), recreate.dir().toString(), recreate.project(),
                ConfigSource.gitCommit(recreate.dir().toString(), recreate.release1(), ""))
            .files("docker-compose.yml").deadline(Duration.ofSeconds(60)))
        .step(VolumeRestoreRollback.of(recordsVolume(), recordsBackup).withStopTimeout(Duration.ofSeconds(5)))
        .verify(verification(recreate.container(), "http://127.0.0.1:" + RECREATE_PORT))
        .lock(TargetLock.inDirectory(root.resolve("locks")))
        .journal(Journal.jsonLines(root.resolve("rollback.jsonl")))
        .build();
  }

  /** @return the Blue-Green rollback of {@code rbseed004bg} through Caddy to release 1's commit, verified */
  public RollbackPlan blueGreenPlan() {
    return RollbackPlan.builder("rbseed004bg")
        .step(ComposeBlueGreenRollback.of(LocalExecutor.create(), blue.project(), blue.dir().toString(),
                ConfigSource.gitCommit(blue.dir().toString(), blue.release1(), ""),
                root.resolve("bluegreen-green").toString(), CaddyAdminSwitch.of(URI.create(env.get("caddy.admin")),
                    caddy.handlerId))
            .files("docker-compose.yml")
            .greenEnv("HOST_PORT", Integer.toString(GREEN_PORT)).greenUpstream("127.0.0.1:" + GREEN_PORT)
            .verifyThroughProxy(HttpCheck.get(caddy.url("/health")).expectStatus(200), Duration.ofSeconds(20))
            .drain(Duration.ofMillis(500)).deadline(Duration.ofSeconds(60)))
        .verify(verification(greenContainer(), caddy.url("")))
        .lock(TargetLock.inDirectory(root.resolve("locks")))
        .journal(Journal.jsonLines(root.resolve("rollback.jsonl")))
        .build();
  }

  /** @return green's web container */
  public String greenContainer() {
    return blue.project() + "-green_web_1";
  }

  /** @return the recreate stack */
  public ComposeStack recreateStack() {
    return recreate;
  }

  /** @return the blue stack */
  public ComposeStack blueStack() {
    return blue;
  }

  /** @return Caddy */
  public OwnCaddy caddy() {
    return caddy;
  }

  /** @return the daemon */
  public Docker docker() {
    return docker;
  }

  /** Removes Caddy's server, both stacks (and green), their volumes, the images and the root. */
  @Override
  public void close() {
    try {
      if (caddy != null) {
        caddy.close();
      }
      Path green = root.resolve("bluegreen-green");
      if (java.nio.file.Files.isDirectory(green)) {
        LocalExecutor.create().run(Command.of(env.get("compose.command", "docker-compose"), "-p",
            "rbseed004bg-green", "down", "--remove-orphans").withWorkingDir(green).withTimeout(Duration.ofMinutes(1)));
      }
      Containers.remove(docker, greenContainer(), "rbseed004_web_1", "rbseed004bg_web_1");
      if (recreate != null) {
        recreate.down();
      }
      if (blue != null) {
        blue.down();
      }
      AppImage.removeTags(REPOSITORY + ":release-1", REPOSITORY + ":release-2");
    } finally {
      docker.close();
      Dirs.delete(root);
    }
  }
}
