package dev.rollback.volumes;

import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import dev.rollback.docker.ContainerLogs;
import dev.rollback.docker.Docker;
import dev.rollback.testing.TestEnvironment;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What the volume integration tests share: the daemon and busybox image from env.properties, volumes and containers
 * named {@code rbvol-...} and removed again by {@link #close()}, and a busybox shell in a container with a volume.
 */
final class VolumeFixture implements AutoCloseable {
  /** The label on everything the tests create. */
  static final String LABEL = "rbvol.test";
  final Docker docker;
  final String busybox;
  private final List<String> volumes = new ArrayList<>();
  private final List<String> containers = new ArrayList<>();

  private VolumeFixture(Docker docker, String busybox) {
    this.docker = docker;
    this.busybox = busybox;
  }

  /** @return the fixture; skips (or fails under -Drollback.it.required=true) without Docker */
  static VolumeFixture start() {
    TestEnvironment env = TestEnvironment.load().requireServer("Docker", null, null, "docker.host",
        "docker.busybox_image");
    Docker docker = Docker.at(URI.create(env.get("docker.host")));
    try {
      docker.version();
    } catch (RuntimeException e) {
      TestEnvironment.unavailable("Docker does not answer at " + env.get("docker.host") + ": " + e.getMessage());
    }
    String image = env.get("docker.busybox_image");
    if (docker.findImage(image).isEmpty()) {
      TestEnvironment.unavailable("the busybox test image " + image + " is not built");
    }
    return new VolumeFixture(docker, image);
  }

  /** @return a new, empty volume named {@code rbvol-<what>-<random>} */
  String volume(String what) {
    String name = "rbvol-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    docker.client().createVolumeCmd().withName(name).withLabels(Map.of(LABEL, "true")).exec();
    volumes.add(name);
    return name;
  }

  /** @return a {@link DockerVolume} over the named volume with the busybox helper image */
  DockerVolume dockerVolume(String name) {
    return DockerVolume.named(docker, name).withHelperImage(busybox);
  }

  /**
   * Runs a busybox shell script with the volume at /data and returns its output; fails on a non-zero exit.
   *
   * @param volume the volume
   * @param script the script
   * @return stdout and stderr lines
   */
  List<String> sh(String volume, String script) {
    String id = docker.client().createContainerCmd(busybox)
        .withName("rbvol-sh-" + UUID.randomUUID().toString().substring(0, 8))
        .withLabels(Map.of(LABEL, "true"))
        .withEntrypoint("/bin/busybox", "sh", "-c", script)
        .withHostConfig(HostConfig.newHostConfig().withBinds(new Bind(volume, new Volume("/data")))
            .withNetworkMode("none"))
        .exec().getId();
    try {
      docker.client().startContainerCmd(id).exec();
      Integer status = docker.client().waitContainerCmd(id).exec(new WaitContainerResultCallback())
          .awaitStatusCode(5, TimeUnit.MINUTES);
      List<String> out = ContainerLogs.read(docker, id, null, 0, Duration.ofSeconds(30));
      if (status == null || status != 0) {
        throw new AssertionError("busybox script exited " + status + ": " + script + "\n" + String.join("\n", out));
      }
      return out;
    } finally {
      docker.client().removeContainerCmd(id).withForce(true).exec();
    }
  }

  /**
   * Starts a long-running container (init, so SIGTERM stops it at once) with the volume at /data.
   *
   * @param name its name (rbvol-...)
   * @param volume the volume
   * @return its id
   */
  String runUser(String name, String volume) {
    String id = docker.client().createContainerCmd(busybox).withName(name)
        .withLabels(Map.of(LABEL, "true"))
        .withEntrypoint("/bin/busybox", "sleep", "3600")
        .withHostConfig(HostConfig.newHostConfig().withInit(true)
            .withBinds(new Bind(volume, new Volume("/data"))).withNetworkMode("none"))
        .exec().getId();
    containers.add(id);
    docker.client().startContainerCmd(id).exec();
    return id;
  }

  /**
   * A listing of everything under /data: path, symbolic mode, owner, size, mtime and sha256 for files; link
   * targets for symlinks. Sorted, so two equal trees give equal lists.
   *
   * @param volume the volume
   * @return one line per entry
   */
  List<String> listing(String volume) {
    return sh(volume, String.join("\n",
        "cd /data && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r f; do",
        "  if [ -L \"$f\" ]; then echo \"$f|$(stat -c '%A|%u|%g' \"$f\")|-> $(readlink \"$f\")\";",
        "  elif [ -f \"$f\" ]; then",
        "    echo \"$f|$(stat -c '%A|%u|%g|%s|%Y|%h' \"$f\")|$(sha256sum < \"$f\" | cut -c1-64)\";",
        "  else echo \"$f|$(stat -c '%A|%u|%g' \"$f\")\"; fi",
        "done"));
  }

  /** Removes the containers and volumes created, and any helper a failed test left. */
  @Override
  public void close() {
    for (String c : containers) {
      quietly(() -> docker.client().removeContainerCmd(c).withForce(true).exec());
    }
    for (var c : docker.client().listContainersCmd().withShowAll(true)
        .withLabelFilter(List.of(DockerVolume.HELPER_LABEL)).exec()) {
      if (Arrays.stream(c.getNames()).anyMatch(n -> n.contains("rbvol-"))) {
        quietly(() -> docker.client().removeContainerCmd(c.getId()).withForce(true).exec());
      }
    }
    for (String v : volumes) {
      quietly(() -> docker.client().removeVolumeCmd(v).exec());
    }
    docker.close();
  }

  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException ignored) {
      // cleaning up after a test
    }
  }
}
