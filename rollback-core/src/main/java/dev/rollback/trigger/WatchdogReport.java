package dev.rollback.trigger;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rollback.RollbackException;
import dev.rollback.RollbackReport;
import dev.rollback.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a watchdog saw and did.
 *
 * @param target the plan's target
 * @param outcome {@link Outcome#FIRED}, {@link Outcome#STOPPED} or {@link Outcome#EXPIRED}
 * @param trigger the trigger that tripped, or null
 * @param observations the tripped trigger's observations up to the trip (at most the last 100), or every
 *     trigger's last observation when none tripped
 * @param startedAt when watching began
 * @param firstUnhealthyAt the first unhealthy observation of the tripped trigger's current streak, or null
 * @param firedAt when the trigger tripped and the plan started, or null
 * @param rollback the plan's report, or null when it did not run
 * @param error why the plan could not run (another rollback holds the lock, say), or null
 */
public record WatchdogReport(String target, Outcome outcome, String trigger, List<Observation> observations,
    Instant startedAt, Instant firstUnhealthyAt, Instant firedAt, RollbackReport rollback, String error) {

  /** How watching ended. */
  public enum Outcome {
    /** A trigger tripped and the plan ran (see {@link #rollback()}). */
    FIRED,
    /** {@link Watchdog#stop()} was called. */
    STOPPED,
    /** The watch's maximum duration passed with no trigger tripped. */
    EXPIRED
  }

  /** Copies the observations. */
  public WatchdogReport {
    observations = List.copyOf(observations);
  }

  /** @return from the first unhealthy observation to the trip, when both are known */
  public Duration detectionTime() {
    return firstUnhealthyAt == null || firedAt == null ? null : Duration.between(firstUnhealthyAt, firedAt);
  }

  /** @return the report as pretty JSON */
  public String toJson() {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new RollbackException("cannot write the watchdog report: " + e.getMessage(), e);
    }
  }

  /** @return a few readable lines, then the rollback's own text */
  public String toText() {
    StringBuilder sb = new StringBuilder("watchdog on ").append(target).append(": ").append(outcome);
    if (trigger != null) {
      sb.append(" (").append(trigger).append(")");
    }
    sb.append('\n');
    for (Observation o : observations.subList(Math.max(0, observations.size() - 10), observations.size())) {
      sb.append("  ").append(o.at()).append(o.healthy() ? "  ok    " : "  FAIL  ").append(o.value()).append('\n');
    }
    if (detectionTime() != null) {
      sb.append("  detected in ").append(detectionTime().toMillis()).append(" ms after the first failure\n");
    }
    if (error != null) {
      sb.append("  could not roll back: ").append(error).append('\n');
    }
    if (rollback != null) {
      sb.append(rollback.toText());
    }
    return sb.toString();
  }
}
