package dev.rollback;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rollback.internal.Json;
import java.util.List;

/**
 * What a plan would do, with nothing changed: each step's actions and the exact commands it would run (read
 * through a {@link dev.rollback.exec.DryRunExecutor}), the checks that would verify it, and anything that would
 * make it refuse. {@link #toString()} is the readable form.
 *
 * @param target the plan's target
 * @param steps one entry per step, in order
 * @param checks the verification chain's checks, in order
 * @param policy what happens on failure
 * @param lock where the lock lives
 * @param journal where the journal goes
 */
public record Preview(String target, List<Step> steps, List<String> checks, FailurePolicy policy, String lock,
    String journal) {

  /** Copies the lists. */
  public Preview {
    steps = List.copyOf(steps);
    checks = List.copyOf(checks);
  }

  /**
   * One step's preview.
   *
   * @param index from 1
   * @param description the strategy's description
   * @param checkpoint what its checkpoint would record (as read now), or null
   * @param actions the actions and commands it would take, in order
   * @param problem why it would refuse or could not be previewed fully, or null
   */
  public record Step(int index, String description, String checkpoint, List<String> actions, String problem) {
    /** Copies the actions. */
    public Step {
      actions = List.copyOf(actions);
    }
  }

  /** @return true when no step reported a problem */
  public boolean wouldProceed() {
    return steps.stream().allMatch(s -> s.problem() == null);
  }

  /** @return the preview as pretty-printed JSON */
  public String toJson() {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new RollbackException("cannot write the preview as JSON: " + e.getMessage(), e);
    }
  }

  /** @return the readable form: steps with their actions, checks, policy, lock and journal */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("preview of the rollback of ").append(target).append(" (nothing changed)\n");
    for (Step s : steps) {
      sb.append(s.index()).append(". ").append(s.description()).append('\n');
      if (s.checkpoint() != null) {
        sb.append("   checkpoint: ").append(s.checkpoint()).append('\n');
      }
      s.actions().forEach(a -> sb.append("   - ").append(a).append('\n'));
      if (s.problem() != null) {
        sb.append("   ! ").append(s.problem()).append('\n');
      }
    }
    sb.append("verify:").append(checks.isEmpty() ? " (no checks)\n" : "\n");
    checks.forEach(c -> sb.append("   - ").append(c).append('\n'));
    sb.append("on failure: ").append(policy == FailurePolicy.RESTORE
        ? "restore the steps already done, in reverse order, and verify again" : "leave everything as it is")
        .append('\n');
    sb.append("lock: ").append(lock).append("; ").append(journal).append('\n');
    return sb.toString();
  }
}
