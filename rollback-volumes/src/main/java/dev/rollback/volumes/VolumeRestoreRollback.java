package dev.rollback.volumes;

import com.github.dockerjava.api.model.Container;
import dev.rollback.Checkpoint;
import dev.rollback.RestoreIncompleteException;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackStrategy;
import dev.rollback.docker.Docker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Restores a volume (or directory) from an archive, as a plan step.
 *
 * <ul>
 *   <li>preflight: the archive matches its manifest (sha256 and size), holds no refused entry
 *       ({@link UnsafeArchiveException}), and the target exists; otherwise the plan stops with nothing changed;
 *   <li>checkpoint: a safety backup of the current contents into {@link #withSafetyBackups the safety directory}
 *       (default: the archive's own directory), pinned so retention keeps it until the plan is verified
 *       ({@link #finish} releases the pin, the archive stays) or restored;
 *   <li>rollback: verify the archive again, then stop the running containers that mount the volume (found through
 *       the Engine), empty the volume, unpack the archive, and start those containers again;
 *   <li>restore: the same with the safety backup, then start the containers that were running at the checkpoint.
 * </ul>
 *
 * <p>When unpacking fails partway the containers stay stopped, so a half-restored volume is never served; the
 * plan's restore puts the safety backup back and starts them.
 *
 * <p>The safety backup is taken while the containers still run (the checkpoint changes nothing); for a database
 * volume, whose files are only consistent when it is stopped, take a backup with the service stopped as well.
 * In a preview nothing is verified-and-changed: every step is described with {@link RollbackContext#action}.
 *
 * <pre>{@code
 * DockerVolume pgdata = DockerVolume.named(docker, "pgdata");
 * RollbackPlan plan = RollbackPlan.builder("db")
 *     .step(VolumeRestoreRollback.of(pgdata, VolumeBackup.at(Path.of("/srv/backups")).latest("pgdata")))
 *     .build();
 * }</pre>
 *
 * <p>Immutable.
 */
public final class VolumeRestoreRollback implements RollbackStrategy {
  private final VolumeSource target;
  private final Path archive;
  private final VolumeBackup safety;
  private final Duration stopTimeout;

  private VolumeRestoreRollback(VolumeSource target, Path archive, VolumeBackup safety, Duration stopTimeout) {
    this.target = target;
    this.archive = archive;
    this.safety = safety;
    this.stopTimeout = stopTimeout;
  }

  /**
   * A step that restores {@code target} from {@code archive}.
   *
   * @param target a {@link DockerVolume} (its containers are stopped and started) or a {@link HostDirectory}
   * @param archive a {@code .tar.gz} or {@code .tar.zst} with its manifest
   * @return the step; safety backups go to the archive's directory, compressed like the archive
   */
  public static VolumeRestoreRollback of(VolumeSource target, Path archive) {
    Objects.requireNonNull(target, "target");
    Path a = archive.toAbsolutePath().normalize();
    VolumeBackup safety = VolumeBackup.at(a.getParent()).withCompression(Compression.forFile(a));
    return new VolumeRestoreRollback(target, a, safety, Duration.ofSeconds(10));
  }

  /**
   * @param backups where the checkpoint's safety backup goes, and how it is compressed; default the archive's
   *     directory and compression
   * @return a copy using it
   */
  public VolumeRestoreRollback withSafetyBackups(VolumeBackup backups) {
    return new VolumeRestoreRollback(target, archive, Objects.requireNonNull(backups, "backups"), stopTimeout);
  }

  /**
   * @param timeout how long a container gets to stop before it is killed; default 10 seconds
   * @return a copy using it
   */
  public VolumeRestoreRollback withStopTimeout(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
    return new VolumeRestoreRollback(target, archive, safety, timeout);
  }

  @Override
  public String describe() {
    return "restore " + target.describe() + " from " + archive;
  }

  @Override
  public void preflight(RollbackContext ctx) {
    if (!target.exists()) {
      throw new VolumeException("cannot restore " + target.describe() + ": it does not exist; create it first");
    }
    VolumeArchive.verify(archive);
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    List<String> running = runningContainers();
    if (ctx.dryRun()) {
      ctx.action("back up " + target.describe() + " to " + safety.dir() + " (safety backup)");
      return new VolumeCheckpoint(null, running, owner(ctx));
    }
    Path backup = safety.backup(target);
    safety.pin(backup, owner(ctx), "safety backup for run " + ctx.runId() + " of " + ctx.target());
    ctx.action("safety backup of " + target.describe() + ": " + backup);
    return new VolumeCheckpoint(backup, running, owner(ctx));
  }

  @Override
  public void rollback(RollbackContext ctx) {
    if (ctx.dryRun()) {
      describeRestore(ctx, archive, runningContainers());
      return;
    }
    ArchiveManifest m = VolumeArchive.verify(archive);
    ctx.action("verified " + archive.getFileName() + " (" + m.files() + " files, " + m.bytes() + " bytes, sha256 "
        + m.sha256().substring(0, 12) + ")");
    VolumeBackup pins = VolumeBackup.at(archive.getParent());
    pins.pin(archive, owner(ctx), "restoring " + target.describe() + " in run " + ctx.runId());
    try {
      List<String> stopped = stopRunning(ctx);
      VolumeArchive.restoreVerified(archive, target);
      ctx.action("restored " + target.describe() + " from " + archive.getFileName());
      start(ctx, stopped);
    } finally {
      pins.unpin(archive, owner(ctx));
    }
  }

  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    VolumeCheckpoint cp = (VolumeCheckpoint) checkpoint;
    if (ctx.dryRun() || cp.safetyBackup() == null) {
      describeRestore(ctx, cp.safetyBackup() == null ? safety.dir().resolve("<safety backup>") : cp.safetyBackup(),
          cp.running());
      return;
    }
    try {
      VolumeArchive.verify(cp.safetyBackup());
    } catch (RuntimeException e) {
      throw new RestoreIncompleteException(target.describe() + " holds what the rollback restored from "
          + archive.getFileName() + "; its safety backup " + cp.safetyBackup() + " does not verify, so it was not"
          + " touched", "find another copy of " + target.describe() + " from before the rollback; the safety backup"
          + " is kept, pinned, for inspection", e);
    }
    Set<String> toStart = new LinkedHashSet<>(cp.running());
    boolean unpacked = false;
    try {
      toStart.addAll(stopRunning(ctx));
      VolumeArchive.restoreVerified(cp.safetyBackup(), target);
      unpacked = true;
      ctx.action("restored " + target.describe() + " from its safety backup " + cp.safetyBackup().getFileName());
      start(ctx, new ArrayList<>(toStart));
    } catch (RuntimeException e) {
      String containers = toStart.isEmpty() ? "" : "docker start " + String.join(" ", names(toStart));
      if (unpacked) {
        throw new RestoreIncompleteException(target.describe() + " is back as it was (from the safety backup "
            + cp.safetyBackup().getFileName() + "), but its containers are not all running",
            containers.isEmpty() ? "start what uses " + target.describe() : containers, e);
      }
      throw new RestoreIncompleteException(target.describe() + " may hold a partial unpack; the verified safety"
          + " backup " + cp.safetyBackup() + " holds what it held before the rollback"
          + (toStart.isEmpty() ? "" : "; containers stopped: " + String.join(", ", names(toStart))),
          "restore " + cp.safetyBackup() + " into " + target.describe() + " (VolumeArchive.restore(archive,"
          + " target), or empty it and tar -x the archive)" + (containers.isEmpty() ? "" : ", then " + containers),
          e);
    }
    safety.unpin(cp.safetyBackup(), cp.pinOwner());
  }

  private List<String> names(Set<String> ids) {
    if (!(target instanceof DockerVolume v)) {
      return new ArrayList<>(ids);
    }
    List<String> out = new ArrayList<>();
    for (String id : ids) {
      String name;
      try {
        name = shortName(v.docker(), id);
      } catch (RuntimeException unreachable) {
        name = id.length() > 12 ? id.substring(0, 12) : id;
      }
      out.add(name);
    }
    return out;
  }

  /**
   * Releases the safety backup's pin now that the plan is verified: the archive stays where it is, and
   * {@link VolumeBackup#prune retention} may remove it from now on like any other backup.
   */
  @Override
  public void finish(RollbackContext ctx, Checkpoint checkpoint) {
    VolumeCheckpoint cp = (VolumeCheckpoint) checkpoint;
    if (ctx.dryRun() || cp.safetyBackup() == null) {
      ctx.action("would release the safety backup's pin once the plan is verified");
      return;
    }
    safety.unpin(cp.safetyBackup(), cp.pinOwner());
    ctx.action("released the pin of the safety backup " + cp.safetyBackup().getFileName() + " (kept; retention may"
        + " prune it now)");
  }

  private void describeRestore(RollbackContext ctx, Path from, List<String> running) {
    ctx.action("verify " + from + " against its manifest");
    if (!running.isEmpty()) {
      ctx.action("stop containers " + running + " (they mount " + target.describe() + ")");
    }
    ctx.action("empty " + target.describe() + " and unpack " + from.getFileName());
    if (!running.isEmpty()) {
      ctx.action("start containers " + running);
    }
  }

  private List<String> runningContainers() {
    List<String> ids = new ArrayList<>();
    if (target instanceof DockerVolume v) {
      for (Container c : v.containers()) {
        if ("running".equals(c.getState())) {
          ids.add(c.getId());
        }
      }
    }
    return ids;
  }

  private List<String> stopRunning(RollbackContext ctx) {
    List<String> ids = runningContainers();
    if (target instanceof DockerVolume v) {
      Docker docker = v.docker();
      for (String id : ids) {
        docker.run("stop container " + id + " (it mounts " + target.describe() + ")",
            () -> docker.client().stopContainerCmd(id).withTimeout((int) stopTimeout.toSeconds()).exec());
        ctx.action("stopped container " + shortName(docker, id) + " (it mounts " + target.describe() + ")");
      }
    }
    return ids;
  }

  private void start(RollbackContext ctx, List<String> ids) {
    if (target instanceof DockerVolume v) {
      Docker docker = v.docker();
      for (String id : ids) {
        docker.run("start container " + id + " again after restoring " + target.describe(),
            () -> docker.client().startContainerCmd(id).exec());
        ctx.action("started container " + shortName(docker, id) + " again");
      }
    }
  }

  private static String shortName(Docker docker, String id) {
    return docker.findContainer(id).map(c -> c.getName().replaceFirst("^/", "")).orElse(id);
  }

  private static String owner(RollbackContext ctx) {
    return ctx.runId().replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
