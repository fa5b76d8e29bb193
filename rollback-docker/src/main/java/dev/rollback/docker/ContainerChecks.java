package dev.rollback.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.rollback.RollbackContext;
import dev.rollback.exec.SecretMasker;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * {@link Check}s of a container's state, for a {@link dev.rollback.verify.VerificationChain}: each makes one
 * inspection (or log read) per attempt and says what it saw; the chain polls them.
 *
 * <pre>{@code
 * VerificationChain.of(
 *     ContainerChecks.running(docker, "api"),
 *     ContainerChecks.healthy(docker, "api"),
 *     ContainerChecks.logsClean(docker, "api", Pattern.compile("ERROR|panic")),   // since the rollback started
 *     ContainerChecks.restartCountStable(docker, "api", Duration.ofSeconds(5)),
 *     ContainerChecks.notOomKilled(docker, "api"))
 * }</pre>
 */
public final class ContainerChecks {
  private ContainerChecks() {}

  /**
   * Passes when the container is running (and not restarting).
   *
   * @param docker the daemon
   * @param container name or id
   * @return the check
   */
  public static Check running(Docker docker, String container) {
    return check("container " + container + " is running", () -> {
      Optional<InspectContainerResponse> c = docker.findContainer(container);
      if (c.isEmpty()) {
        return CheckResult.fail("no container " + container);
      }
      var s = c.get().getState();
      if (Boolean.TRUE.equals(s.getRestarting())) {
        return CheckResult.fail("restarting (last exit code " + s.getExitCodeLong() + ")");
      }
      return Boolean.TRUE.equals(s.getRunning()) ? CheckResult.pass("running since " + s.getStartedAt())
          : CheckResult.fail(s.getStatus() + ", exit code " + s.getExitCodeLong());
    });
  }

  /**
   * Passes when the container's Docker {@code HEALTHCHECK} reports {@code healthy}; fails (with the last health
   * output) while it is {@code starting} or {@code unhealthy}, and when it has no health check at all.
   *
   * @param docker the daemon
   * @param container name or id
   * @return the check
   */
  public static Check healthy(Docker docker, String container) {
    return check("container " + container + " is healthy", () -> {
      Optional<InspectContainerResponse> c = docker.findContainer(container);
      if (c.isEmpty()) {
        return CheckResult.fail("no container " + container);
      }
      var h = c.get().getState().getHealth();
      if (h == null || h.getStatus() == null) {
        return CheckResult.fail("container " + container + " has no HEALTHCHECK; use running() or an HTTP check");
      }
      if ("healthy".equals(h.getStatus())) {
        return CheckResult.pass("healthy");
      }
      var log = h.getLog();
      String last = log == null || log.isEmpty() ? "" : ", last output: " + String.valueOf(
          log.get(log.size() - 1).getOutput()).strip();
      return CheckResult.fail(h.getStatus() + " (failing streak " + h.getFailingStreak() + ")" + last);
    });
  }

  /**
   * Passes when the container has not been OOM-killed.
   *
   * @param docker the daemon
   * @param container name or id
   * @return the check
   */
  public static Check notOomKilled(Docker docker, String container) {
    return check("container " + container + " was not OOM-killed", () -> {
      var s = docker.container(container).getState();
      return Boolean.TRUE.equals(s.getOOMKilled())
          ? CheckResult.fail("OOM-killed (exit code " + s.getExitCodeLong() + ", finished " + s.getFinishedAt() + ")")
          : CheckResult.pass("not OOM-killed");
    });
  }

  /**
   * Passes when the container's restart count has not changed for {@code window}, measured across the chain's
   * attempts (so poll it with a retry whose deadline exceeds the window): a restart loop keeps failing it.
   *
   * @param docker the daemon
   * @param container name or id
   * @param window how long the count must hold still
   * @return the check
   */
  public static Check restartCountStable(Docker docker, String container, Duration window) {
    Objects.requireNonNull(window, "window");
    Map<String, long[]> seen = new ConcurrentHashMap<>();
    return check("restart count of container " + container + " stable for " + window.toMillis() + " ms", ctx -> {
      InspectContainerResponse c = docker.container(container);
      long count = c.getRestartCount() == null ? 0 : c.getRestartCount();
      long now = System.nanoTime();
      // Keyed by run and container id: a container replaced in the meantime starts a new observation.
      long[] first = seen.compute(ctx.runId() + "/" + c.getId(),
          (k, v) -> v == null || v[0] != count ? new long[] {count, now} : v);
      long heldMs = (now - first[1]) / 1_000_000;
      if (heldMs >= window.toMillis()) {
        return CheckResult.pass("restart count " + count + ", unchanged for " + heldMs + " ms");
      }
      return CheckResult.fail("restart count " + count + ", unchanged for " + heldMs + " ms of " + window.toMillis());
    });
  }

  /**
   * A check that no log line matches a pattern; by default among the lines logged since the rollback started
   * ({@link RollbackContext#startedAt()}).
   *
   * @param docker the daemon
   * @param container name or id
   * @param bad the pattern a line must not contain (found with {@link java.util.regex.Matcher#find()})
   * @return the check, configurable with {@link LogsClean#since} and {@link LogsClean#lastLines}
   */
  public static LogsClean logsClean(Docker docker, String container, Pattern bad) {
    return new LogsClean(docker, container, bad, null, 0);
  }

  /**
   * Passes when no log line matches a pattern. Immutable: {@code since}/{@code lastLines} return copies.
   * Defaults: lines since the rollback started, all of them.
   */
  public static final class LogsClean implements Check {
    private final Docker docker;
    private final String container;
    private final Pattern bad;
    private final Instant since;
    private final int lastLines;

    private LogsClean(Docker docker, String container, Pattern bad, Instant since, int lastLines) {
      this.docker = Objects.requireNonNull(docker, "docker");
      this.container = Objects.requireNonNull(container, "container");
      this.bad = Objects.requireNonNull(bad, "bad");
      this.since = since;
      this.lastLines = lastLines;
    }

    /**
     * @param since only lines logged at or after this instant; default the rollback's start
     * @return a copy
     */
    public LogsClean since(Instant since) {
      return new LogsClean(docker, container, bad, Objects.requireNonNull(since, "since"), lastLines);
    }

    /**
     * @param n only the last n lines (and, unless {@link #since} was set, of any age); default all
     * @return a copy
     */
    public LogsClean lastLines(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("lastLines must be >= 1, was " + n);
      }
      return new LogsClean(docker, container, bad, since, n);
    }

    @Override
    public String describe() {
      return "logs of container " + container + " have no line matching /" + bad.pattern() + "/ "
          + (lastLines > 0 ? "in the last " + lastLines + " lines" : "")
          + (since != null ? " since " + since : lastLines > 0 ? "" : "since the rollback started");
    }

    @Override
    public CheckResult check(RollbackContext ctx) {
      Instant from = since != null ? since : lastLines > 0 ? null : ctx.startedAt();
      List<String> lines = ContainerLogs.read(docker, container, from, lastLines, Duration.ofSeconds(10));
      SecretMasker masker = ContainerSpec.of(docker, container).secretMasker(ctx.secretMasker());
      for (String l : lines) {
        if (bad.matcher(l).find()) {
          return CheckResult.fail("line matches /" + bad.pattern() + "/: " + masker.mask(l));
        }
      }
      return CheckResult.pass(lines.size() + " line(s), none matching");
    }
  }

  private interface Body {
    CheckResult run(RollbackContext ctx);
  }

  private static Check check(String description, java.util.function.Supplier<CheckResult> body) {
    return check(description, ctx -> body.get());
  }

  private static Check check(String description, Body body) {
    return new Check() {
      @Override
      public String describe() {
        return description;
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        return body.run(ctx);
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }
}
