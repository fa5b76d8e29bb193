package dev.rollback.docker;

import com.github.dockerjava.api.command.HealthState;
import com.github.dockerjava.api.command.HealthStateLog;
import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.rollback.RollbackContext;
import dev.rollback.exec.SecretMasker;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Waits for a started container to be ready by polling it, never sleeping a fixed time: ready when it runs and,
 * if it has a Docker {@code HEALTHCHECK}, reports {@code healthy}, and, if a readiness {@link Check} is set, that
 * check passes; with neither, when it has kept running for the {@linkplain #settle settle} time. Fails at once when
 * it exits, restarts (its restart count grows) or turns {@code unhealthy}; fails at the deadline otherwise.
 *
 * <p>Defaults: deadline 60 s, poll every 100 ms, no extra check, Docker health waited for when the container has
 * one, settle 1 s. Immutable.
 */
public final class ContainerReadiness {
  private final Duration deadline;
  private final Duration interval;
  private final Check check;
  private final boolean useDockerHealth;
  private final Duration settle;

  private ContainerReadiness(Duration deadline, Duration interval, Check check, boolean useDockerHealth,
      Duration settle) {
    this.deadline = deadline;
    this.interval = interval;
    this.check = check;
    this.useDockerHealth = useDockerHealth;
    this.settle = settle;
  }

  /** @return the defaults: deadline 60 s, every 100 ms, Docker health, no extra check */
  public static ContainerReadiness defaults() {
    return new ContainerReadiness(Duration.ofSeconds(60), Duration.ofMillis(100), null, true, Duration.ofSeconds(1));
  }

  /**
   * @param deadline how long to wait at most; default 60 s
   * @return a copy
   */
  public ContainerReadiness deadline(Duration deadline) {
    return new ContainerReadiness(positive(deadline), interval, check, useDockerHealth, settle);
  }

  /**
   * @param interval time between polls; default 100 ms
   * @return a copy
   */
  public ContainerReadiness interval(Duration interval) {
    return new ContainerReadiness(deadline, positive(interval), check, useDockerHealth, settle);
  }

  /**
   * Also requires a check to pass (e.g. an HTTP GET of the health endpoint on the published port).
   *
   * @param check the check; default none
   * @return a copy
   */
  public ContainerReadiness andCheck(Check check) {
    return new ContainerReadiness(deadline, interval, Objects.requireNonNull(check, "check"), useDockerHealth,
        settle);
  }

  /**
   * Whether to wait for the container's Docker health status. Turn it off when a readiness check probes the same
   * thing faster than the image's {@code HEALTHCHECK --interval}.
   *
   * @param use default true
   * @return a copy
   */
  public ContainerReadiness dockerHealth(boolean use) {
    return new ContainerReadiness(deadline, interval, check, use, settle);
  }

  /**
   * How long a container that has neither a Docker health check nor a readiness check must keep running (without
   * a restart) to count as started: "running" alone would pass a container that crashes a moment later.
   *
   * @param settle at least zero; default 1 s
   * @return a copy
   */
  public ContainerReadiness settle(Duration settle) {
    if (settle == null || settle.isNegative()) {
      throw new IllegalArgumentException("settle must be >= 0, was " + settle);
    }
    return new ContainerReadiness(deadline, interval, check, useDockerHealth, settle);
  }

  /**
   * What a restored original must reach again: running and, when its Docker health check said {@code healthy} at the
   * checkpoint, healthy; never a readiness {@link Check}, which is for the release rolled back to. Keeps this
   * deadline, interval and settle time.
   *
   * @param cp the original's checkpoint
   * @return a copy
   */
  ContainerReadiness asAt(ContainerCheckpoint cp) {
    return new ContainerReadiness(deadline, interval, null, cp.running() && "healthy".equals(cp.health()), settle);
  }

  /** @return the deadline */
  public Duration deadline() {
    return deadline;
  }

  /** @return one line for previews */
  public String describe() {
    return "running" + (settle.isZero() ? "" : " (for " + settle.toMillis() + " ms when there is no other signal)")
        + (useDockerHealth ? ", Docker health 'healthy' when it has a HEALTHCHECK" : "")
        + (check == null ? "" : ", " + check.describe()) + " (every " + interval.toMillis() + " ms, up to "
        + deadline.toSeconds() + " s)";
  }

  /**
   * Waits for a container.
   *
   * @param docker the daemon
   * @param containerId the container
   * @param ctx the run's context, passed to the readiness check
   * @param masker masks the container's secrets (see {@link ContainerSpec#secretMasker}) in the error
   * @return what was seen when it became ready, e.g. {@code healthy after 1.2 s}
   * @throws ContainerNotReadyException when it exits, restarts, turns unhealthy or the deadline passes
   */
  String await(Docker docker, String containerId, String label, RollbackContext ctx, SecretMasker masker) {
    long start = System.nanoTime();
    long end = start + deadline.toNanos();
    String last = "not inspected yet";
    Integer firstRestarts = null;
    while (true) {
      InspectContainerResponse c = docker.container(containerId);
      InspectContainerResponse.ContainerState s = c.getState();
      HealthState h = s.getHealth();
      double took = (System.nanoTime() - start) / 1e9;
      int restarts = c.getRestartCount() == null ? 0 : c.getRestartCount();
      if (firstRestarts == null) {
        firstRestarts = restarts;
      }
      if (Boolean.TRUE.equals(s.getRestarting()) || restarts > firstRestarts) {
        throw notReady(docker, containerId, label + " is restarting (last exit code " + s.getExitCodeLong()
            + ")", masker);
      }
      if (!Boolean.TRUE.equals(s.getRunning())) {
        throw notReady(docker, containerId, label + " is " + s.getStatus() + " with exit code "
            + s.getExitCodeLong() + signalNote(s.getExitCodeLong()) + (s.getError() == null
            || s.getError().isEmpty() ? "" : " (" + s.getError() + ")") + " after "
            + String.format(java.util.Locale.ROOT, "%.1f s", took), masker);
      }
      boolean healthOk = true;
      boolean signal = check != null;
      if (useDockerHealth && h != null && h.getStatus() != null && !"none".equals(h.getStatus())) {
        signal = true;
        if ("unhealthy".equals(h.getStatus())) {
          throw notReady(docker, containerId, label + " is unhealthy: " + lastHealthOutput(h, masker), masker);
        }
        healthOk = "healthy".equals(h.getStatus());
        last = "health " + h.getStatus();
      } else {
        last = "running";
      }
      if (healthOk && check != null) {
        CheckResult r;
        try {
          r = check.check(ctx);
        } catch (RuntimeException e) {
          r = CheckResult.fail(e.getMessage());
        }
        healthOk = r.passed();
        last = last + "; " + check.describe() + ": " + r.detail();
      }
      if (healthOk && !signal && System.nanoTime() - start < settle.toNanos()) {
        healthOk = false;
        last = "running, settling";
      }
      if (healthOk) {
        return last + " after " + String.format(java.util.Locale.ROOT, "%.2f s", took);
      }
      if (System.nanoTime() + interval.toNanos() > end) {
        throw notReady(docker, containerId, label + " was not ready within " + deadline.toSeconds() + " s ("
            + masker.mask(last) + ")", masker);
      }
      try {
        Thread.sleep(interval.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ContainerNotReadyException("interrupted while waiting for " + label);
      }
    }
  }

  /**
   * Exit codes 143 and 137 are deaths by SIGTERM and SIGKILL: something outside stopped the container (a docker
   * stop, the daemon shutting down, the OOM killer), which says nothing about the release it runs.
   */
  static String signalNote(Long exitCode) {
    if (exitCode == null) {
      return "";
    }
    if (exitCode == 143) {
      return " (SIGTERM: stopped from outside, e.g. docker stop or the daemon shutting down; not a crash of the"
          + " release)";
    }
    if (exitCode == 137) {
      return " (SIGKILL: killed from outside, e.g. the OOM killer, docker kill, or a stop past its timeout)";
    }
    return "";
  }

  private static String lastHealthOutput(HealthState h, SecretMasker masker) {
    List<HealthStateLog> log = h.getLog();
    if (log == null || log.isEmpty()) {
      return "no health check output";
    }
    HealthStateLog l = log.get(log.size() - 1);
    return "health check exit " + l.getExitCodeLong() + ", output: " + masker.mask(String.valueOf(l.getOutput())
        .strip());
  }

  private static ContainerNotReadyException notReady(Docker docker, String id, String what, SecretMasker masker) {
    String tail;
    try {
      List<String> lines = ContainerLogs.read(docker, id, null, 5, Duration.ofSeconds(5));
      tail = lines.isEmpty() ? "no log output" : "last log lines: " + masker.mask(String.join(" | ", lines));
    } catch (RuntimeException e) {
      tail = "logs unreadable: " + e.getMessage();
    }
    return new ContainerNotReadyException(masker.mask(what + "; " + tail));
  }

  private static Duration positive(Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("must be a positive duration, was " + d);
    }
    return d;
  }
}
