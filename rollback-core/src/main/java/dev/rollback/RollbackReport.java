package dev.rollback;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rollback.internal.Json;
import dev.rollback.journal.JournalEntry;
import dev.rollback.verify.CheckReport;
import dev.rollback.verify.CheckResult;
import dev.rollback.verify.VerificationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What a rollback did: its outcome, every step and check with start and duration, and a timeline. Serialises to
 * JSON with {@link #toJson()} and back with {@link #fromJson(String)}; reads as a text timeline with
 * {@link #toText()}. Immutable.
 *
 * @param target the plan's target
 * @param runId the run's id, as in the journal
 * @param outcome how it ended
 * @param policy the failure policy it ran with
 * @param startedAt when the run started
 * @param duration how long it took
 * @param steps one report per step, in plan order
 * @param verifications every verification run, each saying when it ran (after rollback, after restore)
 * @param timeline every event, in order
 * @param failure why the rollback did not succeed, or null
 * @param actionsRequired what a person must do now (non-empty for {@code FAILED})
 * @param interruptedRuns earlier runs of this target that started and never finished
 * @param cancelled true when the run was cancelled (its handle, or its thread interrupted) before it could finish
 *     rolling back; {@link #outcome} is then the true state: {@code RESTORED} when the original is back
 */
@JsonIgnoreProperties(value = "verified", allowGetters = true)
public record RollbackReport(String target, String runId, Outcome outcome, FailurePolicy policy, Instant startedAt,
    Duration duration, List<StepReport> steps, List<VerificationRun> verifications, List<TimelineEvent> timeline,
    String failure, List<String> actionsRequired, List<JournalEntry> interruptedRuns, boolean cancelled) {

  /** Copies the lists. */
  public RollbackReport {
    steps = List.copyOf(steps);
    verifications = List.copyOf(verifications);
    timeline = List.copyOf(timeline);
    actionsRequired = List.copyOf(actionsRequired);
    interruptedRuns = List.copyOf(interruptedRuns);
  }

  /** @return true when the outcome is {@link Outcome#ROLLED_BACK} */
  public boolean rolledBack() {
    return outcome == Outcome.ROLLED_BACK;
  }

  /**
   * Whether the state the run ended in was proven by at least one check: for {@code ROLLED_BACK}, the plan's
   * verification ran checks and they passed; for {@code RESTORED}, the after-restore chain ran checks and they
   * passed. A plan without checks ends unverified: the report says so in its text ({@code ROLLED_BACK,
   * unverified}) and its JSON ({@code "verified": false}).
   *
   * @return true when the final state passed a non-empty verification
   */
  @JsonProperty("verified")
  public boolean verified() {
    String when = outcome == Outcome.ROLLED_BACK ? VerificationRun.AFTER_ROLLBACK
        : outcome == Outcome.RESTORED ? VerificationRun.AFTER_RESTORE : null;
    if (when == null) {
      return false;
    }
    VerificationRun last = null;
    for (VerificationRun v : verifications) {
      if (v.when().equals(when)) {
        last = v;
      }
    }
    return last != null && last.passed() && !last.result().checks().isEmpty();
  }

  /**
   * The report as JSON (instants and durations in ISO-8601).
   *
   * @return pretty-printed JSON
   */
  public String toJson() {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new RollbackException("cannot write the report as JSON: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a report written by {@link #toJson()}.
   *
   * @param json the JSON
   * @return the report
   * @throws RollbackException when the text is not a report
   */
  public static RollbackReport fromJson(String json) {
    try {
      return Json.MAPPER.readValue(json, RollbackReport.class);
    } catch (JsonProcessingException e) {
      throw new RollbackException("not a rollback report: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * A readable timeline: a header with the outcome, each event with its offset, the steps' final states and,
   * when the rollback did not succeed, what a person must do.
   *
   * @return the text, lines separated by {@code \n}
   */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    boolean unverified = (outcome == Outcome.ROLLED_BACK || outcome == Outcome.RESTORED) && !verified();
    sb.append("rollback of ").append(target).append(": ").append(outcome).append(cancelled ? " (CANCELLED)" : "")
        .append(unverified ? ", unverified" : "")
        .append(" in ").append(secs(duration))
        .append(" (run ").append(runId).append(", started ").append(startedAt).append(")\n");
    for (JournalEntry e : interruptedRuns) {
      sb.append("  ! an earlier rollback (run ").append(e.runId()).append(", pid ").append(e.pid()).append(" on ")
          .append(e.host()).append(", started ").append(e.at())
          .append(") never finished: check the target's state\n");
    }
    for (TimelineEvent e : timeline) {
      sb.append(String.format(Locale.ROOT, "  %9s  %-10s %s%s%n", "+" + secs(e.offset()), e.kind(),
          e.step() > 0 ? "[" + e.step() + "] " : "", e.message()));
    }
    sb.append("steps:\n");
    for (StepReport s : steps) {
      sb.append(String.format(Locale.ROOT, "  %d. %-16s %s (%s)%n", s.index(), s.state(), s.description(),
          secs(s.duration())));
      if (s.error() != null) {
        sb.append("     error: ").append(s.error()).append('\n');
      }
    }
    for (VerificationRun run : verifications) {
      VerificationResult v = run.result();
      sb.append("verification ").append(run.when()).append(": ").append(v.checks().isEmpty()
          ? "UNVERIFIED (no checks configured)" : v.passed() ? "passed" : "FAILED").append('\n');
      for (CheckReport c : v.checks()) {
        List<CheckResult> a = c.attempts();
        sb.append("  ").append(c.passed() ? "ok   " : "FAIL ").append(c.check()).append(": ").append(c.lastDetail())
            .append(" (").append(a.size()).append(a.size() == 1 ? " attempt" : " attempts").append(")\n");
      }
    }
    if (failure != null) {
      sb.append("failure: ").append(failure).append('\n');
    }
    if (!actionsRequired.isEmpty()) {
      sb.append("a person must:\n");
      actionsRequired.forEach(a -> sb.append("  - ").append(a).append('\n'));
    }
    return sb.toString();
  }

  private static String secs(Duration d) {
    return String.format(Locale.ROOT, "%.3fs", d.toNanos() / 1e9);
  }
}
