package dev.rollback.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.rollback.Checkpoint;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Rolls a container back to an earlier release image ({@code app:release-<id>}) with the same configuration
 * (seed 002's {@code rollback-image.sh}, without its bug of stopping the app before the previous image is
 * verified).
 *
 * <p>What {@link #rollback} does: create the previous image's container under a temporary name
 * ({@code <name>-rollback}) with the running container's whole {@link ContainerSpec}; stop the original only when
 * it holds a fixed host port the new one needs; start the new one; wait until it is {@linkplain
 * ContainerReadiness ready} (polled with a deadline, never a fixed sleep); then remove the original (or keep it,
 * stopped and renamed {@code <name>-replaced-<shortid>}, for forensics) and rename the new one to {@code <name>}.
 * When anything fails, {@link #restore} removes (or keeps, renamed {@code <name>-failed-<shortid>}) whatever was
 * started and puts the original back running under its name; recreating it from the checkpoint when it was
 * already removed.
 *
 * <p>{@link #preflight} refuses before anything stops when the container does not exist, the target release's tag
 * is gone ({@link dev.rollback.ReleaseNotFoundException} listing the tags that exist) or moved
 * ({@link ReleaseTagMovedException}), or the container already runs it.
 *
 * <p>Defaults: to the previous release, remove the replaced container, {@link ContainerReadiness#defaults()}, stop
 * timeout 10 s. Immutable.
 *
 * <pre>{@code
 * ImageTagRollback.of(docker, "api", ReleaseImages.of(docker, "app").recordedIn(registryDir)).toPrevious()
 * }</pre>
 */
public final class ImageTagRollback implements RollbackStrategy {
  private final Docker docker;
  private final String container;
  private final ReleaseImages releases;
  private final String releaseId;
  private final boolean keepReplaced;
  private final ContainerReadiness readiness;
  private final Duration stopTimeout;
  private final String temporaryName;

  private ImageTagRollback(Docker docker, String container, ReleaseImages releases, String releaseId,
      boolean keepReplaced, ContainerReadiness readiness, Duration stopTimeout, String temporaryName) {
    this.docker = docker;
    this.container = container;
    this.releases = releases;
    this.releaseId = releaseId;
    this.keepReplaced = keepReplaced;
    this.readiness = readiness;
    this.stopTimeout = stopTimeout;
    this.temporaryName = temporaryName;
  }

  /**
   * A rollback of one container to the previous release.
   *
   * @param docker the daemon
   * @param container the running container's name
   * @param releases the release images it runs
   * @return the strategy
   */
  public static ImageTagRollback of(Docker docker, String container, ReleaseImages releases) {
    Objects.requireNonNull(docker, "docker");
    Objects.requireNonNull(releases, "releases");
    if (container == null || !container.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
      throw new IllegalArgumentException("not a container name: '" + container + "'");
    }
    return new ImageTagRollback(docker, container, releases, null, false, ContainerReadiness.defaults(),
        Duration.ofSeconds(10), container + "-rollback");
  }

  /** @return a copy rolling back to the release before the running one (the default) */
  public ImageTagRollback toPrevious() {
    return new ImageTagRollback(docker, container, releases, null, keepReplaced, readiness, stopTimeout,
        temporaryName);
  }

  /**
   * @param id the release id to roll back to
   * @return a copy rolling back to that release
   */
  public ImageTagRollback toRelease(String id) {
    return new ImageTagRollback(docker, container, releases, Objects.requireNonNull(id, "id"), keepReplaced,
        readiness, stopTimeout, temporaryName);
  }

  /**
   * Keeps replaced containers, stopped and renamed, for forensics: the original after a successful rollback
   * ({@code <name>-replaced-<shortid>}) and a failed new one after a restore ({@code <name>-failed-<shortid>}).
   *
   * @param keep default false: they are removed
   * @return a copy
   */
  public ImageTagRollback keepReplacedContainer(boolean keep) {
    return new ImageTagRollback(docker, container, releases, releaseId, keep, readiness, stopTimeout,
        temporaryName);
  }

  /**
   * @param readiness when the new container counts as started; default {@link ContainerReadiness#defaults()}
   * @return a copy
   */
  public ImageTagRollback readiness(ContainerReadiness readiness) {
    return new ImageTagRollback(docker, container, releases, releaseId, keepReplaced,
        Objects.requireNonNull(readiness, "readiness"), stopTimeout, temporaryName);
  }

  /**
   * @param timeout how long {@code docker stop} waits before SIGKILL; default 10 s
   * @return a copy
   */
  public ImageTagRollback stopTimeout(Duration timeout) {
    return new ImageTagRollback(docker, container, releases, releaseId, keepReplaced, readiness,
        Objects.requireNonNull(timeout, "timeout"), temporaryName);
  }

  /**
   * @param name the new container's name until it replaces the original; default {@code <container>-rollback}
   * @return a copy
   */
  public ImageTagRollback temporaryName(String name) {
    return new ImageTagRollback(docker, container, releases, releaseId, keepReplaced, readiness, stopTimeout,
        Objects.requireNonNull(name, "name"));
  }

  @Override
  public String describe() {
    return "roll container " + container + " back to " + (releaseId == null ? "the previous release of "
        + releases : releases.reference(releaseId));
  }

  @Override
  public void preflight(RollbackContext ctx) {
    InspectContainerResponse c = docker.findContainer(container).orElseThrow(() -> new RollbackException(
        "container " + container + " not found on " + docker.describe() + "; nothing to roll back (check the name"
            + " with docker ps -a)"));
    ReleaseImage target = target(c.getImageId());
    if (target.imageId().equals(c.getImageId())) {
      throw new RollbackException("container " + container + " already runs " + target.reference() + " (image "
          + target.shortImageId() + "); nothing to roll back");
    }
  }

  private ReleaseImage target(String runningImageId) {
    return releaseId == null ? releases.previousOf(runningImageId) : releases.resolve(releaseId);
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    return ContainerCheckpoint.of(docker, container);
  }

  @Override
  public void rollback(RollbackContext ctx) {
    ContainerSpec spec = ContainerSpec.of(docker, container);
    ReleaseImage target = target(spec.imageId());
    boolean stopFirst = spec.publishesFixedHostPorts();
    ContainerOps ops = new ContainerOps(docker, ctx, stopTimeout);
    if (ctx.dryRun()) {
      ctx.action("would create " + temporaryName + " from " + target.reference() + " (image "
          + target.shortImageId() + ") with the configuration of " + container);
      if (stopFirst) {
        ctx.action("would stop " + container + " first: its host ports " + spec.portsText() + " must be free");
      }
      ctx.action("would start " + temporaryName + " and wait until " + readiness.describe());
      ctx.action("would " + (keepReplaced ? "keep " + container + " stopped as " + container + "-replaced-<id>"
          : "remove " + container) + " and rename " + temporaryName + " to " + container);
      return;
    }
    Optional<InspectContainerResponse> leftover = docker.findContainer(temporaryName);
    if (leftover.isPresent() && !leftover.get().getId().equals(spec.containerId())) {
      ops.stopAndRemove(leftover.get().getId(), temporaryName + " (left over from an earlier run)");
    }
    ctx.action("create " + temporaryName + " from " + target.reference() + " (image " + target.shortImageId()
        + ") with the configuration of " + container);
    String newId = spec.create(docker, temporaryName, target.reference());
    String createdImage = docker.container(newId).getImageId();
    if (!createdImage.equals(target.imageId())) {
      throw new ReleaseTagMovedException(target.reference(), target.imageId(), createdImage,
          "it moved while the rollback created " + temporaryName);
    }
    if (stopFirst) {
      ops.stop(spec.containerId(), container + " (its host ports " + spec.portsText() + " must be free)");
    }
    ops.start(newId, temporaryName);
    String seen = readiness.await(docker, newId, temporaryName + " (" + target.reference() + ")", ctx,
        spec.secretMasker(ctx.secretMasker()));
    ctx.action(temporaryName + " ready: " + seen);
    if (keepReplaced) {
      ops.stop(spec.containerId(), container);
      ops.rename(spec.containerId(), container, container + "-replaced-" + ReleaseImage.shortId(spec.containerId()));
    } else {
      ops.stopAndRemove(spec.containerId(), container);
    }
    ops.rename(newId, temporaryName, container);
  }

  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    ContainerCheckpoint cp = (ContainerCheckpoint) checkpoint;
    ContainerSpec spec = cp.spec();
    ContainerOps ops = new ContainerOps(docker, ctx, stopTimeout);
    if (ctx.dryRun()) {
      ctx.action("would remove " + temporaryName + " and start " + container + " (" + spec.imageRef() + ") again");
      return;
    }
    for (String name : new String[] {temporaryName, container}) {
      Optional<InspectContainerResponse> other = docker.findContainer(name);
      if (other.isPresent() && !other.get().getId().equals(spec.containerId())) {
        String id = other.get().getId();
        if (keepReplaced) {
          ops.stop(id, name);
          ops.rename(id, name, container + "-failed-" + ReleaseImage.shortId(id));
        } else {
          ops.stopAndRemove(id, name);
        }
      }
    }
    Optional<InspectContainerResponse> original = docker.findContainer(spec.containerId());
    String id;
    if (original.isPresent()) {
      id = spec.containerId();
      String now = original.get().getName().substring(1);
      if (!now.equals(container)) {
        ops.rename(id, now, container);
      }
      if (Boolean.TRUE.equals(original.get().getState().getRunning())) {
        ctx.action(container + " was never stopped: it still runs " + spec.imageRef());
        return;
      }
      if (!cp.running()) {
        ctx.action(container + " was not running before the rollback: left stopped");
        return;
      }
      ops.start(id, container);
    } else {
      ctx.action("recreate " + container + " from its checkpoint (image " + ReleaseImage.shortId(spec.imageId())
          + "): the original container was already removed");
      // Its tag, when the tag still names the image it ran; else the image id itself.
      boolean tagHolds = spec.imageRef() != null && docker.findImage(spec.imageRef())
          .map(i -> i.getId().equals(spec.imageId())).orElse(false);
      id = spec.create(docker, container, tagHolds ? spec.imageRef() : spec.imageId());
      ops.start(id, container);
    }
    // An original that was unhealthy before the rollback cannot be asked to be healthy now: wait for it to run.
    ContainerReadiness wait = cp.wasReady() ? readiness : readiness.runningOnly();
    String seen = wait.await(docker, id, container + " (restored)", ctx, spec.secretMasker(ctx.secretMasker()));
    ctx.action(container + " back: " + seen);
  }
}
