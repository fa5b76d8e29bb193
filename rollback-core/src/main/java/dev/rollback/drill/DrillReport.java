package dev.rollback.drill;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rollback.Outcome;
import dev.rollback.RollbackException;
import dev.rollback.RollbackReport;
import dev.rollback.StepReport;
import dev.rollback.internal.Json;
import dev.rollback.trigger.WatchdogReport;
import dev.rollback.verify.VerificationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a rollback drill measured.
 *
 * @param name the drill's name
 * @param passed whether the target was rolled back and verified healthy
 * @param brokenAt when the break action returned (the bad version live)
 * @param firstFailedProbeAt the first failed probe of the streak that fired (the break time without a watchdog)
 * @param detectedAt when the rollback was decided (trigger tripped, or the plan started)
 * @param recoveredAt when the verification after the rollback passed, or null
 * @param detectionTime from the break to the decision
 * @param timeToRecover from the first failed probe to verified healthy, or null
 * @param watchdog the watchdog's report, or null when the drill ran a plan directly
 * @param rollback the rollback's report, or null when it never ran
 * @param verification the verification run after the rollback, or null
 * @param failure why the drill failed, or null
 */
public record DrillReport(String name, boolean passed, Instant brokenAt, Instant firstFailedProbeAt,
    Instant detectedAt, Instant recoveredAt, Duration detectionTime, Duration timeToRecover, WatchdogReport watchdog,
    RollbackReport rollback, VerificationResult verification, String failure) {

  /** @return each rollback step's duration, by description, in order */
  public Map<String, Duration> stepDurations() {
    Map<String, Duration> out = new LinkedHashMap<>();
    if (rollback != null) {
      for (StepReport s : rollback.steps()) {
        out.put(s.index() + ". " + s.description(), s.duration());
      }
    }
    return out;
  }

  /** @return the rollback's outcome, or null when it never ran */
  public Outcome rollbackOutcome() {
    return rollback == null ? null : rollback.outcome();
  }

  /** @return the report as pretty JSON */
  public String toJson() {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new RollbackException("cannot write the drill report: " + e.getMessage(), e);
    }
  }

  /** @return a readable summary: the verdict, the times, each step's duration */
  public String toText() {
    StringBuilder sb = new StringBuilder("drill ").append(name).append(": ").append(passed ? "PASSED" : "FAILED")
        .append('\n');
    sb.append("  detection time:  ").append(ms(detectionTime)).append('\n');
    sb.append("  time to recover: ").append(ms(timeToRecover)).append(" (first failed probe to verified healthy)\n");
    stepDurations().forEach((k, v) -> sb.append("  step ").append(k).append(": ").append(ms(v)).append('\n'));
    if (rollback != null) {
      sb.append("  rollback outcome: ").append(rollback.outcome()).append('\n');
    }
    if (failure != null) {
      sb.append("  failure: ").append(failure).append('\n');
    }
    return sb.toString();
  }

  private static String ms(Duration d) {
    return d == null ? "-" : String.format(Locale.ROOT, "%.3f s", d.toNanos() / 1e9);
  }
}
