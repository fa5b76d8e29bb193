package dev.rollback.examples.seed000;

import dev.rollback.RollbackPlan;
import dev.rollback.docker.ContainerReadiness;
import dev.rollback.docker.Docker;
import dev.rollback.docker.ImageTagRollback;
import dev.rollback.docker.ReleaseImages;
import dev.rollback.drill.RollbackDrill;
import dev.rollback.examples.support.AppImage;
import dev.rollback.examples.support.Containers;
import dev.rollback.examples.support.Dirs;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.release.ReleaseDirectory;
import dev.rollback.release.ReleaseId;
import dev.rollback.release.ReleaseSpec;
import dev.rollback.release.RetentionResult;
import dev.rollback.release.SymlinkRollback;
import dev.rollback.verify.HttpCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Seed 000's Gokku app {@code api-production}, wired through the SDK: an app root laid out as
 * {@code /opt/gokku/apps/api} ({@code releases/<timestamp>/}, {@code current}, {@code shared/.env} linked into every
 * release), one image per release tagged {@code rbseed/api:release-<timestamp>}, retention of the last 5, and a
 * container {@code rbseed-000-api} on 127.0.0.1:18300 started from the current release's image with the shared
 * {@code .env}. The rollback moves {@code current} and the container together, to the previous release or to a
 * given id, and journals every run in {@code <root>/rollback.log}.
 *
 * <p>Stand-ins: the app is busybox httpd serving its version at / and /health (no real API image is reachable
 * here); the app root is a temporary directory instead of /opt/gokku; the "deployer" is {@link #deploy}.
 */
public final class Seed000App implements AutoCloseable {
  /** The image repository of the releases. */
  public static final String REPOSITORY = "rbseed/api";
  /** The app's container. */
  public static final String CONTAINER = "rbseed-000-api";
  /** Where the container publishes 8080. */
  public static final int PORT = 18300;
  /** Releases kept by retention (Gokku: the last 5). */
  public static final int KEEP = 5;
  /** Six release ids, an hour apart, oldest first; the sixth is the broken deploy. */
  public final List<String> ids = new ArrayList<>();
  private final Path root;
  private final Docker docker;
  private final String baseImage;
  private final ReleaseDirectory releases;
  private final ReleaseImages images;
  private final List<String> removedByRetention = new ArrayList<>();

  private Seed000App(SeedEnv env, Path root) {
    this.root = root;
    this.docker = Docker.at(URI.create(env.get("docker.host")));
    this.baseImage = env.get("docker.busybox_image");
    this.releases = ReleaseDirectory.at(root);
    this.images = ReleaseImages.of(docker, REPOSITORY).recordedIn(root.resolve("images"));
    Clock now = Clock.systemUTC();
    for (int h = 6; h >= 1; h--) {
      ids.add(ReleaseId.now(Clock.offset(now, Duration.ofHours(-h))));
    }
  }

  /**
   * Creates the app root with its shared {@code .env} and deploys releases 1 to 5 (all healthy), retention
   * running after each deploy as Gokku does.
   *
   * @param env the servers
   * @return the app, release 5 current and running
   */
  public static Seed000App start(SeedEnv env) {
    Seed000App app = new Seed000App(env, Dirs.temp("rbseed-000-"));
    try {
      Files.createDirectories(app.root.resolve("shared"));
      Files.writeString(app.root.resolve("shared/.env"), "API_GREETING=hello-from-shared-env\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 0; i < 5; i++) {
      app.deploy(i, true);
    }
    return app;
  }

  /**
   * What {@code gokku deploy} does: build and tag the release's image, record it, write the release directory
   * (with {@code .env} linked to {@code shared/.env}), switch {@code current}, replace the container, keep the last 5.
   *
   * @param index which of {@link #ids}
   * @param healthy whether the release answers /health
   */
  public void deploy(int index, boolean healthy) {
    String id = ids.get(index);
    String version = "1." + index + ".0";
    String ref = AppImage.release(baseImage, version, healthy).build(images.reference(id));
    images.recordDeployed(id);
    releases.deploy(ReleaseSpec.withId(id).file("version", version).sharedLink(".env").image(ref));
    releases.activate(id);
    Containers.run(docker, CONTAINER, ref, PORT, sharedEnv());
    RetentionResult r = releases.keepLast(KEEP);
    for (String gone : r.removed()) {
      AppImage.removeTags(images.reference(gone));
      removedByRetention.add(gone);
    }
  }

  /** Deploys the sixth release, whose /health answers 404. */
  public void deployBrokenRelease() {
    deploy(5, false);
  }

  private String[] sharedEnv() {
    try {
      return Files.readAllLines(root.resolve("shared/.env")).stream().filter(l -> l.contains("="))
          .toArray(String[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the health check on the published port */
  public HttpCheck health() {
    return HttpCheck.get("http://127.0.0.1:" + PORT + "/health").expectStatus(200).timeout(Duration.ofSeconds(2));
  }

  /**
   * {@code gokku rollback -a api-production [id]}: {@code current} and the container back to the previous
   * release, or to {@code releaseId}; verified by /health answering 200 for the expected version.
   *
   * @param releaseId a release id, or null for the previous release
   * @return the plan
   */
  public RollbackPlan plan(String releaseId) {
    SymlinkRollback link = SymlinkRollback.of(releases);
    ImageTagRollback image = ImageTagRollback.of(docker, CONTAINER, images)
        .readiness(ContainerReadiness.defaults().andCheck(health()).deadline(Duration.ofSeconds(20)))
        .stopTimeout(Duration.ofSeconds(5));
    return RollbackPlan.builder("api-production")
        .step(releaseId == null ? link.toPrevious() : link.toRelease(releaseId))
        .step(releaseId == null ? image.toPrevious() : image.toRelease(releaseId))
        .verify(VerificationChain.of(health()).retry(Retry.every(Duration.ofMillis(100))
            .deadline(Duration.ofSeconds(20))))
        .lock(TargetLock.inDirectory(root.resolve("locks")))
        .journal(journal())
        .build();
  }

  /** @return the journal every run writes: {@code <root>/rollback.log}, one JSON line per start and end */
  public Journal journal() {
    return Journal.jsonLines(root.resolve("rollback.log"));
  }

  /**
   * The drill: deploy the broken sixth release (unless it is live already), roll back to the previous one, verify
   * it serves 1.4.0.
   *
   * @param deployBroken whether the drill's break deploys the broken release (false: the caller did, e.g. to
   *     print the preview first)
   * @return the drill
   */
  public RollbackDrill drillToPrevious(boolean deployBroken) {
    return RollbackDrill.named("seed000-to-previous")
        .breakWith(() -> {
          if (deployBroken) {
            deployBrokenRelease();
          }
        })
        .recoverWith(plan(null))
        .verify(VerificationChain.of(health().bodyContains("1.4.0")).retry(Retry.once()))
        .build();
  }

  /** @return the release directory */
  public ReleaseDirectory releases() {
    return releases;
  }

  /** @return the release images */
  public ReleaseImages images() {
    return images;
  }

  /** @return ids retention removed, with their image tags */
  public List<String> removedByRetention() {
    return List.copyOf(removedByRetention);
  }

  /** @return the app root */
  public Path root() {
    return root;
  }

  /** @return the daemon */
  public Docker docker() {
    return docker;
  }

  /** Removes the container, every release tag and the app root. */
  @Override
  public void close() {
    try {
      Containers.remove(docker, CONTAINER);
      for (String id : ids) {
        AppImage.removeTags(images.reference(id));
      }
    } finally {
      docker.close();
      Dirs.delete(root);
    }
  }
}
