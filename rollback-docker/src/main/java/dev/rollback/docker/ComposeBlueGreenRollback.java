package dev.rollback.docker;

import dev.rollback.Checkpoint;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import dev.rollback.exec.Executor;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Blue-green rollback of a Compose project (seed 004's "start with {@code docker compose -p <stack>-green up -d}"):
 * the previous configuration (from a {@link ConfigSource}) is written to green's own directory and brought up as
 * another project beside blue, with extra environment variables that move its host ports (the compose file reads
 * them, e.g. {@code "127.0.0.1:${HOST_PORT:-8000}:8080"}); once every container runs (healthy, where it has a health
 * check) the {@link TrafficSwitch} sends traffic to green, a check through the proxy must pass, requests in flight
 * drain, and blue is stopped ({@code stop}, not {@code down}: it is the fast way back).
 *
 * <p>{@link #restore}: blue started again, the proxy switched back to the recorded upstream, green brought
 * {@code down} (without {@code -v}). Defaults: file {@code docker-compose.yml} plus {@code .env} when the source
 * has one, green project {@code <blue>-green}, no extra environment, wait deadline 60 s, no proxy check, drain 2 s.
 * Immutable.
 *
 * <pre>{@code
 * ComposeBlueGreenRollback.of(local, "app", "/srv/app", ConfigSource.gitCommit("/srv/app", "3f2a1b4", ""),
 *         "/srv/app-green", caddy)
 *     .greenEnv("HOST_PORT", "8001").greenUpstream("127.0.0.1:8001")
 * }</pre>
 */
public final class ComposeBlueGreenRollback implements RollbackStrategy {
  private static final String ENV = ".env";
  private final Executor executor;
  private final String blue;
  private final String blueDir;
  private final ConfigSource previous;
  private final String greenDir;
  private final TrafficSwitch traffic;
  private final String green;
  private final List<String> files;
  private final Map<String, String> greenEnv;
  private final String greenUpstream;
  private final Duration deadline;
  private final Check proxyCheck;
  private final Duration proxyDeadline;
  private final Duration drain;

  private ComposeBlueGreenRollback(Executor executor, String blue, String blueDir, ConfigSource previous,
      String greenDir, TrafficSwitch traffic, String green, List<String> files, Map<String, String> greenEnv,
      String greenUpstream, Duration deadline, Check proxyCheck, Duration proxyDeadline, Duration drain) {
    this.executor = executor;
    this.blue = blue;
    this.blueDir = blueDir;
    this.previous = previous;
    this.greenDir = greenDir;
    this.traffic = traffic;
    this.green = green;
    this.files = List.copyOf(files);
    this.greenEnv = Map.copyOf(greenEnv);
    this.greenUpstream = greenUpstream;
    this.deadline = deadline;
    this.proxyCheck = proxyCheck;
    this.proxyDeadline = proxyDeadline;
    this.drain = drain;
  }

  /**
   * A blue-green rollback of a Compose project.
   *
   * @param executor where the projects run
   * @param blueProject the serving project's name
   * @param blueDir its directory
   * @param previous where the previous configuration comes from
   * @param greenDir a directory for green's files (created; its compose files are overwritten)
   * @param traffic the proxy's switch
   * @return the strategy; set {@link #greenUpstream} before running it
   */
  public static ComposeBlueGreenRollback of(Executor executor, String blueProject, String blueDir,
      ConfigSource previous, String greenDir, TrafficSwitch traffic) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(blueDir, "blueDir");
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(greenDir, "greenDir");
    Objects.requireNonNull(traffic, "traffic");
    if (blueProject == null || !blueProject.matches("[a-z0-9][a-z0-9_-]*")) {
      throw new IllegalArgumentException("not a Compose project name: '" + blueProject + "'");
    }
    if (greenDir.equals(blueDir)) {
      throw new IllegalArgumentException("green needs its own directory, not blue's " + blueDir);
    }
    return new ComposeBlueGreenRollback(executor, blueProject, blueDir, previous, greenDir, traffic,
        blueProject + "-green", List.of("docker-compose.yml"), Map.of(), null, Duration.ofSeconds(60), null,
        Duration.ofSeconds(30), Duration.ofSeconds(2));
  }

  private ComposeBlueGreenRollback with(String green, List<String> files, Map<String, String> env, String upstream,
      Duration deadline, Check check, Duration checkDeadline, Duration drain) {
    return new ComposeBlueGreenRollback(executor, blue, blueDir, previous, greenDir, traffic, green, files, env,
        upstream, deadline, check, checkDeadline, drain);
  }

  /**
   * @param name green's project name; default {@code <blue>-green}
   * @return a copy
   */
  public ComposeBlueGreenRollback greenProject(String name) {
    return with(Objects.requireNonNull(name, "name"), files, greenEnv, greenUpstream, deadline, proxyCheck,
        proxyDeadline, drain);
  }

  /**
   * @param composeFiles the compose files, in {@code -f} order; default {@code docker-compose.yml}
   * @return a copy
   */
  public ComposeBlueGreenRollback files(String... composeFiles) {
    return with(green, List.of(composeFiles), greenEnv, greenUpstream, deadline, proxyCheck, proxyDeadline, drain);
  }

  /**
   * Sets an environment variable for green's compose commands (it overrides {@code .env}), e.g. its host port.
   *
   * @param name the variable
   * @param value its value
   * @return a copy
   */
  public ComposeBlueGreenRollback greenEnv(String name, String value) {
    Map<String, String> m = new LinkedHashMap<>(greenEnv);
    m.put(name, value);
    return with(green, files, m, greenUpstream, deadline, proxyCheck, proxyDeadline, drain);
  }

  /**
   * @param upstream the address the proxy should send to, e.g. {@code 127.0.0.1:8001}; required
   * @return a copy
   */
  public ComposeBlueGreenRollback greenUpstream(String upstream) {
    return with(green, files, greenEnv, Objects.requireNonNull(upstream, "upstream"), deadline, proxyCheck,
        proxyDeadline, drain);
  }

  /**
   * @param deadline how long green's containers may take to run and be healthy; default 60 s
   * @return a copy
   */
  public ComposeBlueGreenRollback deadline(Duration deadline) {
    return with(green, files, greenEnv, greenUpstream, Objects.requireNonNull(deadline, "deadline"), proxyCheck,
        proxyDeadline, drain);
  }

  /**
   * @param check polled through the proxy after the switch, every 100 ms; default none
   * @param within its deadline; default 30 s
   * @return a copy
   */
  public ComposeBlueGreenRollback verifyThroughProxy(Check check, Duration within) {
    return with(green, files, greenEnv, greenUpstream, deadline, Objects.requireNonNull(check, "check"),
        Objects.requireNonNull(within, "within"), drain);
  }

  /**
   * @param drain how long blue keeps running after the switch; default 2 s
   * @return a copy
   */
  public ComposeBlueGreenRollback drain(Duration drain) {
    return with(green, files, greenEnv, greenUpstream, deadline, proxyCheck, proxyDeadline,
        Objects.requireNonNull(drain, "drain"));
  }

  @Override
  public String describe() {
    return "blue-green: bring up " + previous.describe() + " as compose project " + green + " beside " + blue
        + ", switch " + traffic.describe();
  }

  private ComposeProject project(Executor ex, String name, String dir, Map<String, String> env) {
    return new ComposeProject(ex, ComposeCommand.detect(ex), dir, name, files, env);
  }

  @Override
  public void preflight(RollbackContext ctx) {
    if (greenUpstream == null) {
      throw new RollbackException("no upstream for green project " + green + ": set greenUpstream(host:port)");
    }
    Executor ex = ctx.executor(executor);
    for (String f : files) {
      if (previous.read(ex, f).isEmpty()) {
        throw new RollbackException("the previous configuration has no " + f + " (looked in " + previous.describe()
            + "); nothing was started");
      }
    }
    if (!project(ex, blue, blueDir, Map.of()).exists()) {
      throw new RollbackException("compose project " + blue + " has no containers in " + blueDir
          + "; nothing to roll back from");
    }
    ctx.action("proxy now sends to " + traffic.current(ctx) + " (" + traffic.describe() + ")");
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    ComposeProject b = project(ctx.executor(executor), blue, blueDir, Map.of());
    String up = traffic.current(ctx);
    return new State(blue, b.images(), up, b.allHealthy());
  }

  /**
   * What the rollback recorded: blue's images and the proxy's upstream.
   *
   * @param project blue's project name
   * @param images service to short image id
   * @param upstream the proxy's upstream then
   * @param healthy whether every blue container was running and healthy (or had no health check)
   */
  public record State(String project, Map<String, String> images, String upstream, boolean healthy)
      implements Checkpoint {
    @Override
    public String describe() {
      return "compose project " + project + " images " + images + (healthy ? ", healthy" : ", not all healthy")
          + "; proxy -> " + upstream;
    }
  }

  @Override
  public void rollback(RollbackContext ctx) {
    Executor ex = ctx.executor(executor);
    ComposeProject g = project(ex, green, greenDir, greenEnv);
    List<String> all = new ArrayList<>(files);
    all.add(ENV);
    for (String f : all) {
      Optional<String> content = previous.read(ex, f);
      if (content.isPresent()) {
        g.write(ctx, f, content.get());
      }
    }
    g.run("up", "-d");
    if (!ctx.dryRun()) {
      ctx.action("green ready: " + g.awaitRunning(deadline));
    }
    ctx.action("switch " + traffic.describe() + " to " + greenUpstream);
    traffic.switchTo(ctx, greenUpstream);
    if (ctx.dryRun()) {
      ctx.action("would verify through the proxy, drain " + drain.toMillis() + " ms and stop project " + blue);
      return;
    }
    if (proxyCheck != null) {
      ctx.action("through the proxy: " + pollProxy(ctx));
    }
    if (!drain.isZero()) {
      ctx.action("drain " + drain.toMillis() + " ms before stopping project " + blue);
      sleep(drain);
    }
    project(ex, blue, blueDir, Map.of()).run("stop");
  }

  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    State cp = (State) checkpoint;
    String upstream = cp.upstream();
    Executor ex = ctx.executor(executor);
    ComposeProject b = project(ex, blue, blueDir, Map.of());
    if (ctx.dryRun() || !b.allRunning()) {
      b.run("start");
      if (!ctx.dryRun()) {
        // Blue unhealthy before the rollback cannot be asked to be healthy now: then wait for it to run.
        ctx.action("blue ready: " + b.awaitRunning(deadline, cp.healthy()));
      }
    } else {
      ctx.action("project " + blue + " was never stopped");
    }
    if (!traffic.current(ctx).equals(upstream)) {
      ctx.action("switch " + traffic.describe() + " back to " + upstream);
      traffic.switchTo(ctx, upstream);
    }
    project(ex, green, greenDir, greenEnv).run("down");
  }

  private String pollProxy(RollbackContext ctx) {
    long end = System.nanoTime() + proxyDeadline.toNanos();
    int attempts = 0;
    while (true) {
      attempts++;
      CheckResult r;
      try {
        r = proxyCheck.check(ctx);
      } catch (RuntimeException e) {
        r = CheckResult.fail(e.getMessage());
      }
      if (r.passed()) {
        return proxyCheck.describe() + ": " + r.detail() + " (attempt " + attempts + ")";
      }
      if (System.nanoTime() > end) {
        throw new RollbackException("after the switch to project " + green + ", " + proxyCheck.describe()
            + " did not pass within " + proxyDeadline.toSeconds() + " s: " + r.detail());
      }
      sleep(Duration.ofMillis(100));
    }
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
