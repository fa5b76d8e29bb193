package dev.rollback.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.rollback.Checkpoint;
import dev.rollback.RestoreIncompleteException;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Rolls a container back to an earlier release image ({@code app:release-<id>}) with the same configuration
 * (seed 002's {@code rollback-image.sh}, without its bug of stopping the app before the previous image is
 * verified).
 *
 * <p>What {@link #rollback} does: create the previous image's container under a temporary name
 * ({@code <name>-rollback}) with the running container's whole {@link ContainerSpec} (the same mounts at the same
 * paths: named volumes and binds shared, anonymous ones as fresh volumes); stop the original only when it holds a
 * fixed host port the new one needs; start the new one; wait until it is {@linkplain ContainerReadiness ready}
 * (polled with a deadline, never a fixed sleep); then stop the original and rename it
 * {@code <name>-replaced-<shortid>}, and rename the new one to {@code <name>}. The original, with every mount and
 * its anonymous volumes, stays until the plan's verification has passed: {@link #finish} removes it then (its
 * anonymous volumes are left for a person to remove), or keeps it with {@link #keepReplacedContainer}.
 *
 * <p>{@link #restore} removes whatever the rollback started (or keeps it, renamed {@code <name>-failed-<shortid>})
 * and renames the original back and starts it: the same container, the same volumes, not a copy made from a spec.
 * It waits for the original to be what it was at checkpoint time (running; {@code healthy} when its Docker health
 * check said so), not for this strategy's {@link #readiness} checks, which are for the release rolled back to.
 * Only when the original was removed by someone else is it recreated from the checkpoint, and the report says so.
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
  private final Duration reconnectWithin;

  private ImageTagRollback(Docker docker, String container, ReleaseImages releases, String releaseId,
      boolean keepReplaced, ContainerReadiness readiness, Duration stopTimeout, String temporaryName,
      Duration reconnectWithin) {
    this.docker = docker;
    this.container = container;
    this.releases = releases;
    this.releaseId = releaseId;
    this.keepReplaced = keepReplaced;
    this.readiness = readiness;
    this.stopTimeout = stopTimeout;
    this.temporaryName = temporaryName;
    this.reconnectWithin = reconnectWithin;
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
        Duration.ofSeconds(10), container + "-rollback", Duration.ofSeconds(30));
  }

  /** @return a copy rolling back to the release before the running one (the default) */
  public ImageTagRollback toPrevious() {
    return new ImageTagRollback(docker, container, releases, null, keepReplaced, readiness, stopTimeout,
        temporaryName, reconnectWithin);
  }

  /**
   * @param id the release id to roll back to
   * @return a copy rolling back to that release
   */
  public ImageTagRollback toRelease(String id) {
    return new ImageTagRollback(docker, container, releases, Objects.requireNonNull(id, "id"), keepReplaced,
        readiness, stopTimeout, temporaryName, reconnectWithin);
  }

  /**
   * Keeps replaced containers, stopped and renamed, for forensics: the original after a verified rollback
   * ({@code <name>-replaced-<shortid>}) and a failed new one after a restore ({@code <name>-failed-<shortid>}).
   * Either way the original is kept until the plan's verification has passed.
   *
   * @param keep default false: they are removed (the original only in {@link #finish}, after verification)
   * @return a copy
   */
  public ImageTagRollback keepReplacedContainer(boolean keep) {
    return new ImageTagRollback(docker, container, releases, releaseId, keep, readiness, stopTimeout,
        temporaryName, reconnectWithin);
  }

  /**
   * @param readiness when the new container counts as started; default {@link ContainerReadiness#defaults()}
   * @return a copy
   */
  public ImageTagRollback readiness(ContainerReadiness readiness) {
    return new ImageTagRollback(docker, container, releases, releaseId, keepReplaced,
        Objects.requireNonNull(readiness, "readiness"), stopTimeout, temporaryName, reconnectWithin);
  }

  /**
   * @param timeout how long {@code docker stop} waits before SIGKILL; default 10 s
   * @return a copy
   */
  public ImageTagRollback stopTimeout(Duration timeout) {
    return new ImageTagRollback(docker, container, releases, releaseId, keepReplaced, readiness,
        Objects.requireNonNull(timeout, "timeout"), temporaryName, reconnectWithin);
  }

  /**
   * @param name the new container's name until it replaces the original; default {@code <container>-rollback}
   * @return a copy
   */
  public ImageTagRollback temporaryName(String name) {
    return new ImageTagRollback(docker, container, releases, releaseId, keepReplaced, readiness, stopTimeout,
        Objects.requireNonNull(name, "name"), reconnectWithin);
  }

  /**
   * How long a restore waits for a daemon that stopped answering (a restart refuses connections for a few
   * seconds) before it gives up and says where things stand. The restore is tried again from the start once the
   * daemon answers: every action in it looks before it acts.
   *
   * @param within at least zero; default 30 s
   * @return a copy
   */
  public ImageTagRollback reconnectWithin(Duration within) {
    if (within == null || within.isNegative()) {
      throw new IllegalArgumentException("reconnectWithin must be >= 0, was " + within);
    }
    return new ImageTagRollback(docker, container, releases, releaseId, keepReplaced, readiness, stopTimeout,
        temporaryName, within);
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
      ctx.action("would stop " + container + ", keep it as " + container + "-replaced-<id> until the plan is"
          + " verified, and rename " + temporaryName + " to " + container);
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
    ops.stop(spec.containerId(), container);
    ops.rename(spec.containerId(), container, replacedName(spec.containerId()));
    ops.rename(newId, temporaryName, container);
    ctx.action(container + " (" + ReleaseImage.shortId(spec.containerId()) + ") kept, stopped, as "
        + replacedName(spec.containerId()) + " until the plan is verified");
  }

  private String replacedName(String id) {
    return container + "-replaced-" + ReleaseImage.shortId(id);
  }

  /**
   * Removes the original container, kept stopped since the rollback, now that the plan is verified; with
   * {@link #keepReplacedContainer} it stays. Its anonymous volumes are not removed: they may hold data the new
   * container does not have; the report names them.
   */
  @Override
  public void finish(RollbackContext ctx, Checkpoint checkpoint) {
    ContainerCheckpoint cp = (ContainerCheckpoint) checkpoint;
    String id = cp.spec().containerId();
    String label = replacedName(id);
    if (ctx.dryRun()) {
      ctx.action("would " + (keepReplaced ? "keep " : "remove ") + label + " once the plan is verified");
      return;
    }
    Optional<InspectContainerResponse> original = docker.findContainer(id);
    if (original.isEmpty()) {
      ctx.action(label + " is gone already");
      return;
    }
    if (keepReplaced) {
      ctx.action("keep " + label + " (stopped) for forensics");
      return;
    }
    List<String> anonymous = original.get().getMounts() == null ? List.of() : original.get().getMounts().stream()
        .filter(m -> m.getName() != null && m.getName().matches("[0-9a-f]{64}")).map(m -> m.getName()
            + " (at " + m.getDestination() + ")").toList();
    new ContainerOps(docker, ctx, stopTimeout).stopAndRemove(id, label);
    if (!anonymous.isEmpty()) {
      ctx.action("its anonymous volume(s) " + String.join(", ", anonymous) + " are kept: remove them with docker"
          + " volume rm once nothing in them is needed");
    }
  }

  /**
   * Puts the original back (see the class comment). A daemon that stops answering is waited for up to
   * {@link #reconnectWithin} and the restore tried again; when it still cannot finish, a
   * {@link RestoreIncompleteException} says where the original is and the one command that brings it back.
   */
  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    ContainerCheckpoint cp = (ContainerCheckpoint) checkpoint;
    long end = System.nanoTime() + reconnectWithin.toNanos();
    while (true) {
      try {
        restoreOnce(ctx, cp);
        return;
      } catch (DockerCallException e) {
        Duration left = Duration.ofNanos(Math.max(0, end - System.nanoTime()));
        if (!e.unreachable() || ctx.dryRun() || left.isZero()) {
          throw where(cp, e);
        }
        ctx.action(docker.describe() + " stopped answering (" + e.getMessage() + "): waiting up to "
            + left.toSeconds() + " s for it, then restoring again");
        long t0 = System.nanoTime();
        if (!docker.awaitReachable(left)) {
          throw where(cp, e);
        }
        ctx.action(docker.describe() + " answers again after " + String.format(java.util.Locale.ROOT, "%.1f s",
            (System.nanoTime() - t0) / 1e9));
      } catch (RuntimeException e) {
        throw where(cp, e);
      }
    }
  }

  /** What is where after a restore that could not finish, and the one command that brings the original back. */
  private RestoreIncompleteException where(ContainerCheckpoint cp, RuntimeException cause) {
    if (cause instanceof RestoreIncompleteException r) {
      return r;
    }
    ContainerSpec spec = cp.spec();
    String id = ReleaseImage.shortId(spec.containerId());
    Optional<InspectContainerResponse> original;
    try {
      original = docker.findContainer(spec.containerId());
    } catch (RuntimeException unreachable) {
      return new RestoreIncompleteException(docker.describe() + " does not answer; the original container "
          + container + " (" + id + ") was " + (cp.running() ? "running" : "stopped") + " before the rollback and may"
          + " exist, stopped, under " + container + " or " + replacedName(spec.containerId()),
          "once the daemon answers: docker ps -a --filter id=" + id + ", then docker rename it to " + container
          + " if needed and docker start " + container, cause);
    }
    if (original.isEmpty()) {
      return new RestoreIncompleteException("the original container " + container + " (" + id + ") is gone and"
          + " could not be recreated; it ran " + spec.describe(), "recreate " + container + " from image "
          + ReleaseImage.shortId(spec.imageId()) + " with that configuration (docker run ... --name " + container
          + ")", cause);
    }
    InspectContainerResponse o = original.get();
    String now = o.getName().substring(1);
    boolean running = Boolean.TRUE.equals(o.getState().getRunning());
    String other = docker.findContainer(container).filter(c -> !c.getId().equals(spec.containerId()))
        .map(c -> c.getName().substring(1) + " (" + ReleaseImage.shortId(c.getId()) + ")").orElse(null);
    String situation = "the original container " + id + " exists, " + (running ? "running" : "stopped")
        + ", named " + now + (other == null ? "" : "; " + container + " is now another container, " + other);
    StringBuilder fix = new StringBuilder();
    if (other != null) {
      fix.append("docker rm -f ").append(container).append(" && ");
    }
    if (!now.equals(container)) {
      fix.append("docker rename ").append(now).append(' ').append(container).append(" && ");
    }
    if (!running && cp.running()) {
      fix.append("docker start ").append(container);
    } else if (fix.length() > 0) {
      fix.setLength(fix.length() - 4);
    } else {
      fix.append("nothing for the container: it is back as it was; check what the error below says");
    }
    return new RestoreIncompleteException(situation, fix.toString(), cause);
  }

  private void restoreOnce(RollbackContext ctx, ContainerCheckpoint cp) {
    ContainerSpec spec = cp.spec();
    ContainerOps ops = new ContainerOps(docker, ctx, stopTimeout);
    if (ctx.dryRun()) {
      ctx.action("would remove " + temporaryName + ", rename the original back to " + container + " and start it ("
          + spec.imageRef() + ")");
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
          ops.stopAndRemoveWithAnonymousVolumes(id, name);
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
    // The original is asked to be what it was at the checkpoint, no more: the strategy's readiness checks are for
    // the release rolled back to, and an original that never passed them must not turn a restore into a failure.
    ContainerReadiness wait = readiness.asAt(cp);
    String seen = wait.await(docker, id, container + " (restored)", ctx, spec.secretMasker(ctx.secretMasker()));
    ctx.action(container + " back: " + seen);
  }
}
