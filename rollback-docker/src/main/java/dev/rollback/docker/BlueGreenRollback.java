package dev.rollback.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.rollback.Checkpoint;
import dev.rollback.RestoreIncompleteException;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Blue-green rollback (seeds 002 and 004): start the previous release as green beside the serving container
 * (blue) with blue's configuration on other host ports, verify green directly, switch the proxy with a
 * {@link TrafficSwitch}, verify through the proxy, let in-flight requests drain, then stop blue. Traffic never
 * reaches a container that has not passed its checks, and blue keeps serving until the switch.
 *
 * <p>{@link #restore}: start blue again if it was stopped, switch the proxy back to the upstream recorded in the
 * checkpoint, and remove green. {@link #preflight} refuses before anything starts when blue is missing, the
 * release is gone, or the proxy cannot be read (an unreachable Caddy admin API, an unreadable nginx file).
 *
 * <p>Defaults: to the previous release; green named {@code <blue>-green}; upstream {@code 127.0.0.1:<first green
 * host port>}; readiness {@link ContainerReadiness#defaults()}; no direct or through-proxy check beyond
 * readiness (set them); proxy check deadline 30 s; drain 2 s; blue stopped and kept (removal is the deploy
 * tool's job once green has proved itself). Immutable.
 *
 * <pre>{@code
 * BlueGreenRollback.of(docker, "app-blue", releases, NginxUpstreamSwitch.of(local, "/etc/nginx/app-upstream.conf", "app"))
 *     .greenPort(8080, 8001)
 *     .verifyThroughProxy(HttpCheck.get("http://127.0.0.1/health").expectStatus(200))
 * }</pre>
 */
public final class BlueGreenRollback implements RollbackStrategy {
  private final Docker docker;
  private final String blue;
  private final ReleaseImages releases;
  private final TrafficSwitch traffic;
  private final String releaseId;
  private final String greenName;
  private final Map<Integer, Integer> greenPorts;
  private final String greenUpstream;
  private final ContainerReadiness readiness;
  private final Check proxyCheck;
  private final Duration proxyDeadline;
  private final Duration drain;
  private final boolean removeBlue;

  private BlueGreenRollback(Docker docker, String blue, ReleaseImages releases, TrafficSwitch traffic,
      String releaseId, String greenName, Map<Integer, Integer> greenPorts, String greenUpstream,
      ContainerReadiness readiness, Check proxyCheck, Duration proxyDeadline, Duration drain, boolean removeBlue) {
    this.docker = docker;
    this.blue = blue;
    this.releases = releases;
    this.traffic = traffic;
    this.releaseId = releaseId;
    this.greenName = greenName;
    this.greenPorts = Map.copyOf(greenPorts);
    this.greenUpstream = greenUpstream;
    this.readiness = readiness;
    this.proxyCheck = proxyCheck;
    this.proxyDeadline = proxyDeadline;
    this.drain = drain;
    this.removeBlue = removeBlue;
  }

  /**
   * A blue-green rollback of the container serving now.
   *
   * @param docker the daemon
   * @param blue the serving container's name
   * @param releases its release images
   * @param traffic the proxy's switch
   * @return the strategy
   */
  public static BlueGreenRollback of(Docker docker, String blue, ReleaseImages releases, TrafficSwitch traffic) {
    Objects.requireNonNull(docker, "docker");
    Objects.requireNonNull(releases, "releases");
    Objects.requireNonNull(traffic, "traffic");
    if (blue == null || !blue.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
      throw new IllegalArgumentException("not a container name: '" + blue + "'");
    }
    return new BlueGreenRollback(docker, blue, releases, traffic, null, blue + "-green", Map.of(), null,
        ContainerReadiness.defaults(), null, Duration.ofSeconds(30), Duration.ofSeconds(2), false);
  }

  private BlueGreenRollback copy(String releaseId, String greenName, Map<Integer, Integer> greenPorts,
      String greenUpstream, ContainerReadiness readiness, Check proxyCheck, Duration proxyDeadline, Duration drain,
      boolean removeBlue) {
    return new BlueGreenRollback(docker, blue, releases, traffic, releaseId, greenName, greenPorts, greenUpstream,
        readiness, proxyCheck, proxyDeadline, drain, removeBlue);
  }

  /**
   * @param id the release to start as green; default the release before blue's
   * @return a copy
   */
  public BlueGreenRollback toRelease(String id) {
    return copy(Objects.requireNonNull(id, "id"), greenName, greenPorts, greenUpstream, readiness, proxyCheck,
        proxyDeadline, drain, removeBlue);
  }

  /**
   * @param name green's container name; default {@code <blue>-green}
   * @return a copy
   */
  public BlueGreenRollback greenName(String name) {
    return copy(releaseId, Objects.requireNonNull(name, "name"), greenPorts, greenUpstream, readiness, proxyCheck,
        proxyDeadline, drain, removeBlue);
  }

  /**
   * Publishes a container port of green on another host port than blue's (same host IP).
   *
   * @param containerPort e.g. 8080
   * @param hostPort e.g. 8001
   * @return a copy
   */
  public BlueGreenRollback greenPort(int containerPort, int hostPort) {
    Map<Integer, Integer> m = new LinkedHashMap<>(greenPorts);
    m.put(containerPort, hostPort);
    return copy(releaseId, greenName, m, greenUpstream, readiness, proxyCheck, proxyDeadline, drain, removeBlue);
  }

  /**
   * @param upstream the address the proxy should send to; default {@code 127.0.0.1:<first green host port>}
   * @return a copy
   */
  public BlueGreenRollback greenUpstream(String upstream) {
    return copy(releaseId, greenName, greenPorts, Objects.requireNonNull(upstream, "upstream"), readiness,
        proxyCheck, proxyDeadline, drain, removeBlue);
  }

  /**
   * @param readiness when green counts as started, before any traffic reaches it (add a direct HTTP check with
   *     {@link ContainerReadiness#andCheck}); default {@link ContainerReadiness#defaults()}
   * @return a copy
   */
  public BlueGreenRollback readiness(ContainerReadiness readiness) {
    return copy(releaseId, greenName, greenPorts, greenUpstream, Objects.requireNonNull(readiness, "readiness"),
        proxyCheck, proxyDeadline, drain, removeBlue);
  }

  /**
   * A check polled through the proxy after the switch (every 100 ms up to the deadline) before blue stops.
   *
   * @param check e.g. GET the proxy's /health; default none
   * @param deadline how long it may take; default 30 s
   * @return a copy
   */
  public BlueGreenRollback verifyThroughProxy(Check check, Duration deadline) {
    return copy(releaseId, greenName, greenPorts, greenUpstream, readiness, Objects.requireNonNull(check, "check"),
        Objects.requireNonNull(deadline, "deadline"), drain, removeBlue);
  }

  /**
   * @param drain how long blue keeps running after the switch, for requests in flight through the old upstream
   *     to finish; default 2 s
   * @return a copy
   */
  public BlueGreenRollback drain(Duration drain) {
    return copy(releaseId, greenName, greenPorts, greenUpstream, readiness, proxyCheck, proxyDeadline,
        Objects.requireNonNull(drain, "drain"), removeBlue);
  }

  /**
   * @param remove remove blue once the plan is verified ({@link #finish}) instead of keeping it stopped; default
   *     false. Either way blue is only stopped until the plan's verification has passed
   * @return a copy
   */
  public BlueGreenRollback removeBlue(boolean remove) {
    return copy(releaseId, greenName, greenPorts, greenUpstream, readiness, proxyCheck, proxyDeadline, drain, remove);
  }

  @Override
  public String describe() {
    return "blue-green: start " + (releaseId == null ? "the previous release of " + releases
        : releases.reference(releaseId)) + " as " + greenName + " beside " + blue + ", switch " + traffic.describe();
  }

  @Override
  public void preflight(RollbackContext ctx) {
    InspectContainerResponse b = docker.findContainer(blue).orElseThrow(() -> new RollbackException("blue container "
        + blue + " not found on " + docker.describe() + "; nothing to roll back from"));
    ReleaseImage target = target(b.getImageId());
    if (target.imageId().equals(b.getImageId())) {
      throw new RollbackException("blue container " + blue + " already runs " + target.reference());
    }
    ContainerSpec spec = ContainerSpec.of(docker, blue);
    if (spec.publishesFixedHostPorts() && greenPorts.isEmpty()) {
      throw new RollbackException("blue container " + blue + " publishes " + spec.portsText()
          + "; green needs other host ports: set greenPort(containerPort, hostPort)");
    }
    upstream();
    String now = traffic.current(ctx);
    ctx.action("proxy now sends to " + now + " (" + traffic.describe() + ")");
  }

  private ReleaseImage target(String blueImageId) {
    return releaseId == null ? releases.previousOf(blueImageId) : releases.resolve(releaseId);
  }

  private String upstream() {
    if (greenUpstream != null) {
      return greenUpstream;
    }
    if (greenPorts.isEmpty()) {
      throw new RollbackException("no upstream for green: set greenPort(containerPort, hostPort) or greenUpstream()");
    }
    return "127.0.0.1:" + greenPorts.values().iterator().next();
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    return new BlueGreenCheckpoint(ContainerCheckpoint.of(docker, blue), traffic.current(ctx));
  }

  @Override
  public void rollback(RollbackContext ctx) {
    ContainerSpec spec = ContainerSpec.of(docker, blue).withHostPorts(greenPorts);
    ReleaseImage target = target(spec.imageId());
    String up = upstream();
    ContainerOps ops = new ContainerOps(docker, ctx, Duration.ofSeconds(10));
    if (ctx.dryRun()) {
      ctx.action("would create and start " + greenName + " from " + target.reference() + " with " + blue
          + "'s configuration, ports " + spec.portsText() + ", and wait until " + readiness.describe());
      traffic.switchTo(ctx, up);
      ctx.action("would verify through the proxy, drain " + drain.toMillis() + " ms and stop " + blue
          + (removeBlue ? " (removed once the plan is verified)" : ""));
      return;
    }
    Optional<InspectContainerResponse> leftover = docker.findContainer(greenName);
    if (leftover.isPresent()) {
      ops.stopAndRemove(leftover.get().getId(), greenName + " (left over from an earlier run)");
    }
    ctx.action("create " + greenName + " from " + target.reference() + " (image " + target.shortImageId()
        + ") with the configuration of " + blue + ", ports " + spec.portsText());
    String greenId = spec.create(docker, greenName, target.reference());
    ops.start(greenId, greenName);
    String seen = readiness.await(docker, greenId, greenName + " (" + target.reference() + ")", ctx,
        spec.secretMasker(ctx.secretMasker()));
    ctx.action(greenName + " ready: " + seen);
    ctx.action("switch " + traffic.describe() + " to " + up);
    traffic.switchTo(ctx, up);
    if (proxyCheck != null) {
      ctx.action("through the proxy: " + pollProxy(ctx));
    }
    if (!drain.isZero()) {
      // A drain is a grace period for requests already in flight to blue, not a wait for readiness.
      ctx.action("drain " + drain.toMillis() + " ms before stopping " + blue);
      sleep(drain);
    }
    // Blue stays (stopped) until the plan is verified, removed or not: it is the restore's way back.
    ops.stop(spec.containerId(), blue);
  }

  /** With {@link #removeBlue}, removes blue (stopped since the switch) now that the plan is verified. */
  @Override
  public void finish(RollbackContext ctx, Checkpoint checkpoint) {
    if (!removeBlue) {
      return;
    }
    String id = ((BlueGreenCheckpoint) checkpoint).blue().spec().containerId();
    if (ctx.dryRun()) {
      ctx.action("would remove " + blue + " once the plan is verified");
      return;
    }
    if (docker.findContainer(id).isPresent()) {
      new ContainerOps(docker, ctx, Duration.ofSeconds(10)).stopAndRemove(id, blue);
    }
  }

  private String pollProxy(RollbackContext ctx) {
    long end = System.nanoTime() + proxyDeadline.toNanos();
    CheckResult r;
    int attempts = 0;
    while (true) {
      attempts++;
      try {
        r = proxyCheck.check(ctx);
      } catch (RuntimeException e) {
        r = CheckResult.fail(e.getMessage());
      }
      if (r.passed()) {
        return proxyCheck.describe() + ": " + r.detail() + " (attempt " + attempts + ")";
      }
      if (System.nanoTime() > end) {
        throw new RollbackException("after the switch to " + greenName + ", " + proxyCheck.describe()
            + " did not pass within " + proxyDeadline.toSeconds() + " s: " + r.detail());
      }
      sleep(Duration.ofMillis(100));
    }
  }

  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    BlueGreenCheckpoint cp = (BlueGreenCheckpoint) checkpoint;
    ContainerOps ops = new ContainerOps(docker, ctx, Duration.ofSeconds(10));
    if (ctx.dryRun()) {
      ctx.action("would start " + blue + ", switch back to " + cp.upstream() + " and remove " + greenName);
      return;
    }
    ContainerSpec spec = cp.blue().spec();
    Optional<InspectContainerResponse> b = docker.findContainer(spec.containerId());
    if (b.isEmpty()) {
      throw new RestoreIncompleteException("blue container " + blue + " (" + ReleaseImage.shortId(spec.containerId())
          + ") is gone; " + traffic.describe() + " may still send traffic to " + greenName, "recreate " + blue
          + " from image " + ReleaseImage.shortId(spec.imageId()) + " with the configuration " + cp.blue().describe()
          + ", then switch " + traffic.describe() + " back to " + cp.upstream(), null);
    }
    boolean blueRunning = Boolean.TRUE.equals(b.get().getState().getRunning());
    try {
      if (!blueRunning && cp.blue().running()) {
        ops.start(spec.containerId(), blue);
        ContainerReadiness wait = readiness.asAt(cp.blue());
        ctx.action(blue + " back: " + wait.await(docker, spec.containerId(), blue, ctx,
            spec.secretMasker(ctx.secretMasker())));
        blueRunning = true;
      }
    } catch (RuntimeException e) {
      throw new RestoreIncompleteException("blue container " + blue + " exists but did not start again; "
          + traffic.describe() + " still sends traffic to " + greenName + " (the release rolled back to), which"
          + " is left running", "docker start " + blue + "; once it serves, switch " + traffic.describe()
          + " back to " + cp.upstream() + " and remove " + greenName, e);
    }
    try {
      String now = traffic.current(ctx);
      if (!now.equals(cp.upstream())) {
        ctx.action("switch " + traffic.describe() + " back to " + cp.upstream());
        traffic.switchTo(ctx, cp.upstream());
      }
    } catch (RuntimeException e) {
      throw new RestoreIncompleteException("blue container " + blue + " runs again, but " + traffic.describe()
          + " could not be switched back: it may still send traffic to " + greenName + ", which is left running",
          "switch " + traffic.describe() + " back to " + cp.upstream() + " (the upstream before the rollback),"
          + " then remove " + greenName, e);
    }
    docker.findContainer(greenName).ifPresent(g -> ops.stopAndRemoveWithAnonymousVolumes(g.getId(), greenName));
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RollbackException("interrupted");
    }
  }
}
