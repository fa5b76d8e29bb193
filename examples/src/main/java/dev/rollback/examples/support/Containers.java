package dev.rollback.examples.support;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import dev.rollback.docker.Docker;
import java.util.Map;

/** Starts and removes containers the way a deploy tool would. */
public final class Containers {
  private Containers() {}

  /**
   * Starts a container with docker-init as PID 1 (busybox ignores SIGTERM otherwise), restart policy
   * unless-stopped, and 8080 published on 127.0.0.1:hostPort. An existing container of that name is removed first.
   *
   * @param docker the daemon
   * @param name the name (rbseed-...)
   * @param image the image
   * @param hostPort the port on 127.0.0.1
   * @param env entries NAME=value
   * @return the container's id
   */
  public static String run(Docker docker, String name, String image, int hostPort, String... env) {
    remove(docker, name);
    HostConfig hc = HostConfig.newHostConfig().withInit(true).withRestartPolicy(RestartPolicy.unlessStoppedRestart())
        .withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", hostPort), ExposedPort.tcp(8080)));
    String id = docker.client().createContainerCmd(image).withName(name).withHostConfig(hc).withEnv(env)
        .withExposedPorts(ExposedPort.tcp(8080)).withLabels(Map.of("dev.rollback.example", "seed")).exec().getId();
    docker.client().startContainerCmd(id).exec();
    return id;
  }

  /**
   * Removes containers by name (forced), and every container whose name starts with one of them plus {@code -}
   * (what a rollback leaves: {@code -rollback}, {@code -replaced-...}, {@code -failed-...}).
   *
   * @param docker the daemon
   * @param names the names
   */
  public static void remove(Docker docker, String... names) {
    for (var c : docker.client().listContainersCmd().withShowAll(true).exec()) {
      for (String n : c.getNames()) {
        String bare = n.substring(1);
        for (String mine : names) {
          if (bare.equals(mine) || bare.startsWith(mine + "-")) {
            try {
              docker.client().removeContainerCmd(c.getId()).withForce(true).exec();
            } catch (RuntimeException ignored) {
              // gone meanwhile
            }
          }
        }
      }
    }
  }

  /** @param docker the daemon @param name a container @return its image's id */
  public static String imageId(Docker docker, String name) {
    return docker.container(name).getImageId();
  }
}
