package dev.rollback.volumes;

import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Image;
import com.github.dockerjava.api.model.Volume;
import dev.rollback.docker.Docker;
import dev.rollback.docker.DockerCallException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Docker named volume, read and written through the Engine's archive API ({@code GET} and
 * {@code PUT /containers/{id}/archive}) on a helper container that is created but never started: no registry pull,
 * no tar binary in any image, no port or network. The archive stream is requested uncompressed (docker-java's
 * transport would ask the daemon to gzip it); every other call goes through docker-java.
 *
 * <p>The helper mounts the volume at {@code /data} and is removed after each call. It is made from
 * {@link #withHelperImage(String) a local image}: by default the first local image whose name contains
 * {@code busybox}, else {@code alpine}, else any tagged local image. Emptying the volume before a restore is the
 * one step the archive API cannot do: it runs {@code find /data -mindepth 1 -maxdepth 1 -exec rm -rf {} +} in a
 * short-lived container from the helper image as root, with no network, so that image needs {@code find} and
 * {@code rm} (busybox, alpine and debian images have them).
 *
 * <pre>{@code
 * try (Docker docker = Docker.fromEnv()) {
 *   DockerVolume pgdata = DockerVolume.named(docker, "pgdata").withHelperImage("busybox:latest");
 *   VolumeArchive.create(pgdata, Path.of("/srv/backups/pgdata.tar.gz"), Compression.gzip());
 * }
 * }</pre>
 *
 * <p>When the daemon runs on this host (a local unix socket), the volume is the {@code local} driver's without
 * mount options, this process may read (for a restore, write) its mount point, and the daemon's stat of the volume
 * root matches that directory to the nanosecond, the files are read and written there directly, as
 * {@code tar -C /var/lib/docker/volumes/<name>/_data} on the host would: the same entries, without the daemon
 * producing or unpacking a tar stream (about 3 s of its CPU per GiB). Otherwise, or after
 * {@link #withDirectAccess(boolean) withDirectAccess(false)}, everything goes through the archive API. The stat is
 * asked through a helper container, once per volume directory (inode) and process; later calls on a proved volume
 * make no helper to back it up (a restore makes one first either way, so a missing image fails before anything is
 * deleted).
 *
 * <p>Immutable; every {@code withX} returns a copy. Defaults: helper image found among local images, clear timeout
 * 10 minutes, direct access allowed.
 */
public final class DockerVolume implements VolumeSource {
  /** The label every helper container carries, so they are never mistaken for the volume's users. */
  public static final String HELPER_LABEL = "dev.rollback.volumes.helper";
  /** Where helpers mount the volume. */
  static final String MOUNT = "/data";
  private static final List<String> CLEAR = List.of("find", MOUNT, "-mindepth", "1", "-maxdepth", "1", "-exec", "rm",
      "-rf", "{}", "+");

  private final Docker docker;
  private final String volume;
  private final String helperImage;
  private final Duration clearTimeout;
  private final boolean direct;

  private DockerVolume(Docker docker, String volume, String helperImage, Duration clearTimeout, boolean direct) {
    this.docker = docker;
    this.volume = volume;
    this.helperImage = helperImage;
    this.clearTimeout = clearTimeout;
    this.direct = direct;
  }

  /**
   * A named volume on a daemon.
   *
   * @param docker the daemon
   * @param volume the volume's name
   * @return the source (nothing is sent yet)
   * @throws IllegalArgumentException when the name is not a valid volume name
   */
  public static DockerVolume named(Docker docker, String volume) {
    Objects.requireNonNull(docker, "docker");
    if (volume == null || !volume.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new IllegalArgumentException("not a Docker volume name: '" + volume
          + "' (letters, digits, '_', '.', '-'; first a letter or digit)");
    }
    return new DockerVolume(docker, volume, null, Duration.ofMinutes(10), true);
  }

  /**
   * @param image a local image for the helper containers (never pulled); default: found among local images, see
   *     the class comment
   * @return a copy using that image
   */
  public DockerVolume withHelperImage(String image) {
    return new DockerVolume(docker, volume, Objects.requireNonNull(image, "image"), clearTimeout, direct);
  }

  /**
   * @param timeout how long emptying the volume may take; default 10 minutes
   * @return a copy with that limit
   */
  public DockerVolume withClearTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return new DockerVolume(docker, volume, helperImage, timeout, direct);
  }

  /**
   * Whether the volume's directory may be read and written directly when the Engine runs on this host and it is
   * provably the directory the Engine mounts (see the class comment); otherwise, and always when false, every byte
   * goes through the Engine's archive API.
   *
   * @param allowed default true
   * @return a copy
   */
  public DockerVolume withDirectAccess(boolean allowed) {
    return new DockerVolume(docker, volume, helperImage, clearTimeout, allowed);
  }

  /**
   * The volume's directory on this host, when a backup would read it directly (see
   * {@link #withDirectAccess(boolean)}); creates and removes a helper container to ask the Engine unless this
   * process proved the directory before.
   *
   * @return the directory, or empty when a backup goes through the Engine's archive API
   */
  public Optional<Path> localDirectory() {
    if (!direct) {
      return Optional.empty();
    }
    requireExists("look up");
    return direct(false, null);
  }

  /**
   * The volume's directory when it may be used directly: proved before, or proved now through {@code helper}
   * (one is made and removed when null).
   */
  private Optional<Path> direct(boolean write, String helper) {
    if (!direct) {
      return Optional.empty();
    }
    Optional<Path> dir = LocalMountpoint.candidate(docker, volume, write);
    if (dir.isEmpty() || LocalMountpoint.verifiedBefore(docker, volume, dir.get())) {
      return dir;
    }
    String h = helper != null ? helper : createHelper(true);
    try {
      return LocalMountpoint.verify(docker, volume, h, MOUNT, dir.get()) ? dir : Optional.empty();
    } finally {
      if (helper == null) {
        removeHelper(h);
      }
    }
  }

  /** @return the daemon */
  public Docker docker() {
    return docker;
  }

  @Override
  public String name() {
    return volume;
  }

  @Override
  public String describe() {
    return "docker volume " + volume;
  }

  @Override
  public boolean exists() {
    try {
      docker.call("inspect volume " + volume, () -> docker.client().inspectVolumeCmd(volume).exec());
      return true;
    } catch (DockerCallException e) {
      if (e.status() == 404) {
        return false;
      }
      throw e;
    }
  }

  /**
   * The containers, running or not, that mount this volume (helpers excluded), as the Engine reports them.
   *
   * @return the containers
   */
  public List<Container> containers() {
    List<Container> all = docker.call("list containers using volume " + volume,
        () -> docker.client().listContainersCmd().withShowAll(true).withVolumeFilter(List.of(volume)).exec());
    List<Container> users = new ArrayList<>();
    for (Container c : all) {
      if (c.getLabels() == null || !c.getLabels().containsKey(HELPER_LABEL)) {
        users.add(c);
      }
    }
    return users;
  }

  @Override
  public void exportTo(TarEntrySink sink) {
    requireExists("back up");
    Optional<Path> dir = direct(false, null);
    if (dir.isPresent()) {
      exportDirectly(dir.get(), sink);
      return;
    }
    String helper = createHelper(true);
    try (InputStream tar = EngineArchive.get(docker.host(), helper, MOUNT + "/.")) {
      TarEntries.forEach(tar, sink, true);
    } catch (IOException e) {
      throw new VolumeException("reading " + describe() + " through the Engine's archive API failed: "
          + e.getMessage(), e);
    } finally {
      removeHelper(helper);
    }
  }

  private void exportDirectly(Path dir, TarEntrySink sink) {
    try {
      LocalTree.export(dir, sink);
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new VolumeException("reading " + describe() + " in " + dir + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void replaceWith(InputStream tar) {
    requireExists("restore into");
    // the helper first: a missing image or a refused create fails before anything is deleted
    String helper = createHelper(false);
    Optional<Path> dir = Optional.empty();
    try {
      dir = direct(true, helper);
      if (dir.isPresent()) {
        LocalTree.clear(dir.get());
        LocalTree.extract(tar, dir.get());
        return;
      }
      clear();
      // the daemon unpacks what it is sent: only entries TarEntryCheck passed, written again
      EngineArchive.put(docker.host(), helper, MOUNT, new CheckedTarStream(tar));
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new VolumeException("writing " + describe() + (dir.isPresent() ? " in " + dir.get()
          : " through the Engine's archive API") + " failed: " + e.getMessage()
          + "; the volume may be partly restored: restore it again", e);
    } finally {
      removeHelper(helper);
    }
  }

  /**
   * {@inheritDoc} Only with direct access to a proved local directory (see the class comment); through the archive
   * API this returns false and a restore verifies first.
   */
  @Override
  public boolean fillIfEmpty(InputStream tar) {
    requireExists("restore into");
    if (!direct) {
      return false;
    }
    Optional<Path> dir;
    try {
      // a look at the candidate first: a volume that holds something is restored by replaceWith, whose own helper
      // proves the directory, so proving it here too would make a second helper for nothing
      Optional<Path> candidate = LocalMountpoint.candidate(docker, volume, true);
      if (candidate.isEmpty() || !LocalTree.isEmpty(candidate.get())) {
        return false;
      }
      dir = direct(true, null);
    } catch (IOException | java.io.UncheckedIOException e) {
      return false; // unreadable here: the Engine's way, after the check
    }
    if (dir.isEmpty()) {
      return false;
    }
    try {
      if (!LocalTree.isEmpty(dir.get())) {
        return false;
      }
      LocalTree.extract(tar, dir.get());
      return true;
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new VolumeException("writing " + describe() + " in " + dir.get() + " failed: " + e.getMessage()
          + "; the volume may be partly restored", e);
    }
  }

  /** Empties the volume (see the class comment for how). */
  void clear() {
    String image = helperImage();
    CreateContainerResponse c = docker.call("create a container to empty " + describe(),
        () -> docker.client().createContainerCmd(image)
            .withName(helperName("clear"))
            .withLabels(Map.of(HELPER_LABEL, "clear"))
            .withEntrypoint(CLEAR)
            .withUser("0:0")
            .withNetworkDisabled(true)
            .withHostConfig(HostConfig.newHostConfig().withBinds(new Bind(volume, new Volume(MOUNT)))
                .withNetworkMode("none"))
            .exec());
    String id = c.getId();
    try {
      docker.run("start the container emptying " + describe(), () -> docker.client().startContainerCmd(id).exec());
      Integer status = docker.call("wait for " + describe() + " to be emptied",
          () -> docker.client().waitContainerCmd(id).exec(new WaitContainerResultCallback())
              .awaitStatusCode(clearTimeout.toMillis(), TimeUnit.MILLISECONDS));
      if (status == null) {
        throw new VolumeException("emptying " + describe() + " before the restore did not finish within "
            + clearTimeout.toSeconds() + " s; the volume may be partly emptied. Raise withClearTimeout, then restore "
            + "again");
      }
      if (status != 0) {
        throw new VolumeException("emptying " + describe() + " before the restore failed: `"
            + String.join(" ", CLEAR) + "` in image " + image + " exited " + status + "; the volume may be partly "
            + "emptied. Use a helper image with find and rm (withHelperImage), then restore again");
      }
    } catch (DockerCallException e) {
      throw new VolumeException("emptying " + describe() + " before the restore failed: " + e.getMessage()
          + ". Use a helper image with find and rm (withHelperImage(\"busybox:latest\"))", e);
    } finally {
      removeHelper(id);
    }
  }

  private void requireExists(String verb) {
    if (!exists()) {
      throw new VolumeException("cannot " + verb + " " + describe() + ": the daemon at " + docker.host()
          + " has no such volume; create it (docker volume create " + volume + ") or check the name");
    }
  }

  private String createHelper(boolean readOnly) {
    String image = helperImage();
    Bind bind = new Bind(volume, new Volume(MOUNT), readOnly ? AccessMode.ro : AccessMode.rw);
    return docker.call("create a helper container for " + describe() + " from " + image,
        () -> docker.client().createContainerCmd(image)
            .withName(helperName(readOnly ? "read" : "write"))
            .withLabels(Map.of(HELPER_LABEL, readOnly ? "read" : "write"))
            // never started: the command only has to be non-empty for images without one
            .withEntrypoint("/rollback-helper-never-started")
            .withNetworkDisabled(true)
            .withHostConfig(HostConfig.newHostConfig().withBinds(bind).withNetworkMode("none"))
            .exec()).getId();
  }

  private String helperName(String role) {
    String base = volume.length() > 40 ? volume.substring(0, 40) : volume;
    return "rollback-volume-" + role + "-" + base + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private void removeHelper(String id) {
    try {
      docker.client().removeContainerCmd(id).withForce(true).withRemoveVolumes(false).exec();
    } catch (RuntimeException ignored) {
      // a leftover helper is labelled and harmless; the original outcome matters more
    }
  }

  /** @return the configured helper image, or one found among the local images */
  String helperImage() {
    if (helperImage != null) {
      if (docker.findImage(helperImage).isEmpty()) {
        throw new VolumeException("helper image " + helperImage + " is not on the daemon at " + docker.host()
            + " and is never pulled; load or build it first, or name a local image with withHelperImage");
      }
      return helperImage;
    }
    List<Image> images = docker.call("list local images", () -> docker.client().listImagesCmd().exec());
    for (String want : new String[] {"busybox", "alpine", ""}) {
      for (Image i : images) {
        for (String tag : i.getRepoTags() == null ? new String[0] : i.getRepoTags()) {
          if (!tag.contains("<none>") && tag.contains(want)) {
            return tag;
          }
        }
      }
    }
    throw new VolumeException("no local image to make a helper container from on " + docker.host()
        + " (" + images.size() + " images, none tagged); images are never pulled: load one, e.g. busybox, and "
        + "name it with withHelperImage");
  }
}
