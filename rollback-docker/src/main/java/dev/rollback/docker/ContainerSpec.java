package dev.rollback.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HealthCheck;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import dev.rollback.exec.SecretMasker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A running container's whole configuration, as needed to start another image the same way: its image id, the
 * environment, command, entrypoint, labels, exposed ports, health check, user and working directory it set beyond
 * its image's defaults, its host configuration (port bindings, mounts, restart policy, init, resources, log
 * driver) and its networks with their aliases.
 *
 * <p>Settings equal to the image's own defaults are not copied, so the other image keeps its own defaults (its own
 * {@code CMD}, its own {@code HEALTHCHECK}). Anonymous volumes the container declared ({@code docker run -v /data})
 * are kept as paths: a container made from the spec gets fresh anonymous volumes there. Immutable. {@link #toString()} and {@link #describe()} name
 * environment variables, never their values: values may be secrets.
 */
public final class ContainerSpec {
  private final String name;
  private final String containerId;
  private final String imageId;
  private final String imageRef;
  private final List<String> env;
  private final List<String> cmd;
  private final List<String> entrypoint;
  private final Map<String, String> labels;
  private final List<ExposedPort> exposedPorts;
  private final HealthCheck healthcheck;
  private final String user;
  private final String workingDir;
  private final String stopSignal;
  private final HostConfig hostConfig;
  private final Map<String, List<String>> networks;
  private final List<String> anonymousVolumes;

  private ContainerSpec(String name, String containerId, String imageId, String imageRef, List<String> env,
      List<String> cmd, List<String> entrypoint, Map<String, String> labels, List<ExposedPort> exposedPorts,
      HealthCheck healthcheck, String user, String workingDir, String stopSignal, HostConfig hostConfig,
      Map<String, List<String>> networks, List<String> anonymousVolumes) {
    this.name = name;
    this.containerId = containerId;
    this.imageId = imageId;
    this.imageRef = imageRef;
    this.env = env;
    this.cmd = cmd;
    this.entrypoint = entrypoint;
    this.labels = labels;
    this.exposedPorts = exposedPorts;
    this.healthcheck = healthcheck;
    this.user = user;
    this.workingDir = workingDir;
    this.stopSignal = stopSignal;
    this.hostConfig = hostConfig;
    this.networks = networks;
    this.anonymousVolumes = anonymousVolumes;
  }

  /**
   * Reads a container's configuration.
   *
   * @param docker the daemon
   * @param nameOrId the container
   * @return its spec
   * @throws DockerCallException when the container or its image cannot be inspected
   */
  public static ContainerSpec of(Docker docker, String nameOrId) {
    return of(docker, docker.container(nameOrId));
  }

  /**
   * Reads a container's configuration from its inspection (its image is inspected for the defaults).
   *
   * @param docker the daemon
   * @param c the container's inspection
   * @return its spec
   * @throws DockerCallException when its image cannot be inspected
   */
  public static ContainerSpec of(Docker docker, InspectContainerResponse c) {
    String nameOrId = c.getName();
    InspectImageResponse image = docker.call("inspect image " + c.getImageId() + " of container " + nameOrId,
        () -> docker.client().inspectImageCmd(c.getImageId()).exec());
    return from(c, image.getConfig());
  }

  /**
   * Builds a spec from inspections, keeping only what the container set beyond its image's defaults.
   *
   * @param c the container's inspection
   * @param imageConfig its image's config, or null when unknown (then everything is kept)
   * @return the spec
   */
  public static ContainerSpec from(InspectContainerResponse c, ContainerConfig imageConfig) {
    ContainerConfig cc = c.getConfig();
    ContainerConfig ic = imageConfig;
    List<String> imageEnv = ic == null || ic.getEnv() == null ? List.of() : Arrays.asList(ic.getEnv());
    List<String> env = new ArrayList<>();
    if (cc.getEnv() != null) {
      for (String e : cc.getEnv()) {
        if (!imageEnv.contains(e)) {
          env.add(e);
        }
      }
    }
    Map<String, String> labels = new TreeMap<>();
    if (cc.getLabels() != null) {
      Map<String, String> il = ic == null || ic.getLabels() == null ? Map.of() : ic.getLabels();
      cc.getLabels().forEach((k, v) -> {
        if (!Objects.equals(il.get(k), v)) {
          labels.put(k, v);
        }
      });
    }
    List<ExposedPort> exposed = new ArrayList<>();
    if (cc.getExposedPorts() != null) {
      Set<ExposedPort> ie = ic == null || ic.getExposedPorts() == null ? Set.of()
          : new LinkedHashSet<>(Arrays.asList(ic.getExposedPorts()));
      for (ExposedPort p : cc.getExposedPorts()) {
        if (!ie.contains(p)) {
          exposed.add(p);
        }
      }
    }
    Map<String, List<String>> nets = new LinkedHashMap<>();
    if (c.getNetworkSettings() != null && c.getNetworkSettings().getNetworks() != null) {
      String shortId = c.getId().substring(0, Math.min(12, c.getId().length()));
      for (Map.Entry<String, ContainerNetwork> e : c.getNetworkSettings().getNetworks().entrySet()) {
        List<String> aliases = e.getValue().getAliases() == null ? List.of()
            : e.getValue().getAliases().stream().filter(a -> !a.equals(shortId) && !c.getId().startsWith(a))
                .toList();
        nets.put(e.getKey(), aliases);
      }
    }
    // Paths the container declared as volumes (docker run -v /data) beyond its image's VOLUMEs, which the other
    // image may not declare: without them the new container would write /data into its own layer.
    List<String> anonymous = new ArrayList<>();
    if (cc.getVolumes() != null) {
      Set<String> iv = ic == null || ic.getVolumes() == null ? Set.of() : ic.getVolumes().keySet();
      for (String path : new TreeMap<>(cc.getVolumes()).keySet()) {
        if (!iv.contains(path)) {
          anonymous.add(path);
        }
      }
    }
    return new ContainerSpec(c.getName().startsWith("/") ? c.getName().substring(1) : c.getName(), c.getId(),
        c.getImageId(), cc.getImage(), List.copyOf(env),
        differs(cc.getCmd(), ic == null ? null : ic.getCmd()),
        differs(cc.getEntrypoint(), ic == null ? null : ic.getEntrypoint()),
        Map.copyOf(labels), List.copyOf(exposed),
        ic != null && Objects.equals(cc.getHealthcheck(), ic.getHealthcheck()) ? null : cc.getHealthcheck(),
        ic != null && Objects.equals(cc.getUser(), ic.getUser()) ? null : emptyToNull(cc.getUser()),
        ic != null && Objects.equals(cc.getWorkingDir(), ic.getWorkingDir()) ? null : emptyToNull(cc.getWorkingDir()),
        null, c.getHostConfig(), Map.copyOf(nets), List.copyOf(anonymous));
  }

  private static List<String> differs(String[] container, String[] image) {
    if (container == null || Arrays.equals(container, image)) {
      return null;
    }
    return List.of(container);
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** @return the container's name, without the leading slash */
  public String name() {
    return name;
  }

  /** @return the container's id */
  public String containerId() {
    return containerId;
  }

  /** @return the image id it runs */
  public String imageId() {
    return imageId;
  }

  /** @return the image reference it was created from, e.g. {@code app:release-2} */
  public String imageRef() {
    return imageRef;
  }

  /** @return the host configuration as the daemon reported it */
  public HostConfig hostConfig() {
    return hostConfig;
  }

  /** @return network name to aliases */
  public Map<String, List<String>> networks() {
    return networks;
  }

  /** @return the environment entries it set beyond its image's ({@code NAME=value}); values may be secrets */
  public List<String> env() {
    return env;
  }

  /** @return the names of {@link #env()}, safe to print */
  public List<String> envNames() {
    return env.stream().map(e -> e.contains("=") ? e.substring(0, e.indexOf('=')) : e).toList();
  }

  /**
   * A masker for text about this container (its logs, the daemon's messages): {@code base} plus this container's
   * environment, whose values are secret when their names say so ({@code DB_PASSWORD}) and whose URL passwords
   * always are; {@code PORT=8080} stays readable.
   *
   * @param base the masker to start from, usually {@link dev.rollback.RollbackContext#secretMasker()}
   * @return the masker
   */
  public SecretMasker secretMasker(SecretMasker base) {
    return base.withEnvEntries(env);
  }

  /**
   * @return the paths it declared as volumes beyond its image's {@code VOLUME}s ({@code docker run -v /data}); a
   *     container made from this spec gets a fresh anonymous volume at each
   */
  public List<String> anonymousVolumes() {
    return anonymousVolumes;
  }

  /** @return the labels it set beyond its image's */
  public Map<String, String> labels() {
    return labels;
  }

  /** @return true when it publishes a fixed host port, which another container cannot bind at the same time */
  public boolean publishesFixedHostPorts() {
    Ports p = hostConfig == null ? null : hostConfig.getPortBindings();
    if (p == null) {
      return false;
    }
    return p.getBindings().values().stream().filter(Objects::nonNull).flatMap(Arrays::stream)
        .anyMatch(b -> b.getHostPortSpec() != null && !b.getHostPortSpec().isEmpty()
            && !"0".equals(b.getHostPortSpec()));
  }

  /** @return the port bindings as {@code 127.0.0.1:18100->8080/tcp}, comma separated, or {@code none} */
  public String portsText() {
    Ports p = hostConfig == null ? null : hostConfig.getPortBindings();
    if (p == null || p.getBindings().isEmpty()) {
      return "none";
    }
    List<String> out = new ArrayList<>();
    new TreeMap<>(p.getBindings().entrySet().stream().collect(Collectors.toMap(e -> e.getKey().toString(),
        Map.Entry::getValue))).forEach((port, binds) -> {
          if (binds != null) {
            for (Ports.Binding b : binds) {
              out.add((b.getHostIp() == null || b.getHostIp().isEmpty() ? "" : b.getHostIp() + ":")
                  + b.getHostPortSpec() + "->" + port);
            }
          }
        });
    return String.join(", ", out);
  }

  /**
   * A copy whose host ports are replaced: each container port bound to a host port is bound to
   * {@code hostPorts.get(containerPort)} instead, on the same host IP (blue-green starts green beside blue).
   *
   * @param hostPorts container port ({@code 8080}) to new host port
   * @return the copy
   */
  public ContainerSpec withHostPorts(Map<Integer, Integer> hostPorts) {
    HostConfig hc = copy(hostConfig);
    Ports old = hc.getPortBindings();
    Ports fresh = new Ports();
    if (old != null) {
      old.getBindings().forEach((exposed, binds) -> {
        Integer to = hostPorts.get(exposed.getPort());
        if (binds != null) {
          for (Ports.Binding b : binds) {
            fresh.bind(exposed, to == null ? b : Ports.Binding.bindIpAndPort(b.getHostIp(), to));
          }
        }
      });
    }
    hc.withPortBindings(fresh);
    return new ContainerSpec(name, containerId, imageId, imageRef, env, cmd, entrypoint, labels, exposedPorts,
        healthcheck, user, workingDir, stopSignal, hc, networks, anonymousVolumes);
  }

  private static HostConfig copy(HostConfig hc) {
    // HostConfig is mutable: a round trip through JSON gives an independent copy.
    try {
      com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
      return m.readValue(m.writeValueAsBytes(hc), HostConfig.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot copy a HostConfig: " + e.getMessage(), e);
    }
  }

  /**
   * Creates (does not start) a container from an image with this configuration and connects it to the same
   * networks with the same aliases.
   *
   * @param docker the daemon
   * @param newName the new container's name
   * @param image the image reference or id to run
   * @return the new container's id
   * @throws DockerCallException when the daemon refuses the create or a network connect (a container created
   *     before a failed connect is removed again)
   */
  public String create(Docker docker, String newName, String image) {
    CreateContainerCmd cmdBuilder = docker.client().createContainerCmd(image).withName(newName)
        .withHostConfig(copy(hostConfig)).withLabels(labels);
    if (!env.isEmpty()) {
      cmdBuilder.withEnv(env);
    }
    if (cmd != null) {
      cmdBuilder.withCmd(cmd);
    }
    if (entrypoint != null) {
      cmdBuilder.withEntrypoint(entrypoint);
    }
    if (!exposedPorts.isEmpty()) {
      cmdBuilder.withExposedPorts(exposedPorts);
    }
    if (!anonymousVolumes.isEmpty()) {
      cmdBuilder.withVolumes(anonymousVolumes.stream().map(com.github.dockerjava.api.model.Volume::new).toList());
    }
    if (healthcheck != null) {
      cmdBuilder.withHealthcheck(healthcheck);
    }
    if (user != null) {
      cmdBuilder.withUser(user);
    }
    if (workingDir != null) {
      cmdBuilder.withWorkingDir(workingDir);
    }
    String primary = hostConfig == null ? null : hostConfig.getNetworkMode();
    if (primary != null && networks.containsKey(primary) && !networks.get(primary).isEmpty()) {
      cmdBuilder.withAliases(networks.get(primary));
    }
    String id = docker.call("create container " + newName + " from " + image, () -> cmdBuilder.exec().getId());
    try {
      for (Map.Entry<String, List<String>> n : networks.entrySet()) {
        if (n.getKey().equals(primary) || isDefaultNetwork(n.getKey()) && isDefaultNetwork(primary)) {
          continue;
        }
        ContainerNetwork cn = new ContainerNetwork().withAliases(n.getValue());
        docker.run("connect container " + newName + " to network " + n.getKey(), () -> docker.client()
            .connectToNetworkCmd().withContainerId(id).withNetworkId(n.getKey()).withContainerNetwork(cn).exec());
      }
    } catch (RuntimeException e) {
      try {
        docker.client().removeContainerCmd(id).withForce(true).exec();
      } catch (RuntimeException ignored) {
        // the create's failure is what the caller must hear about
      }
      throw e;
    }
    return id;
  }

  private static boolean isDefaultNetwork(String n) {
    return n == null || "default".equals(n) || "bridge".equals(n);
  }

  /**
   * One line, secrets excluded: {@code container api (3f2a1b4c5d6e) image 1a2b3c4d5e6f (app:release-2); ports
   * 127.0.0.1:18100->8080/tcp; env DB_PASSWORD, MODE; ...}.
   *
   * @return the description
   */
  public String describe() {
    HostConfig hc = hostConfig;
    String restart = hc == null || hc.getRestartPolicy() == null ? "no" : hc.getRestartPolicy().toString();
    List<String> mounts = new ArrayList<>();
    if (hc != null && hc.getBinds() != null) {
      Arrays.stream(hc.getBinds()).forEach(b -> mounts.add(b.toString()));
    }
    if (hc != null && hc.getMounts() != null) {
      hc.getMounts().forEach(m -> mounts.add(m.getSource() + ":" + m.getTarget()));
    }
    anonymousVolumes.forEach(v -> mounts.add("(anonymous):" + v));
    return "container " + name + " (" + ReleaseImage.shortId(containerId) + ") image "
        + ReleaseImage.shortId(imageId) + " (" + imageRef + "); ports " + portsText() + "; env "
        + (env.isEmpty() ? "(image's)" : String.join(", ", envNames())) + "; mounts "
        + (mounts.isEmpty() ? "none" : String.join(", ", mounts)) + "; networks "
        + String.join(", ", networks.keySet()) + "; labels " + labels.keySet() + "; restart " + restart
        + "; healthcheck " + (healthcheck == null ? "(image's)" : "set") + "; init "
        + (hc != null && Boolean.TRUE.equals(hc.getInit()));
  }

  /** Same as {@link #describe()}. */
  @Override
  public String toString() {
    return describe();
  }
}
