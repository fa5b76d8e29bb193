package dev.rollback;

import java.time.Duration;
import java.util.List;

/**
 * What one step did.
 *
 * @param index from 1
 * @param description the strategy's {@link RollbackStrategy#describe()}
 * @param state where the step stands at the end
 * @param checkpoint the checkpoint's description, or null when none was taken
 * @param duration time spent in checkpoint, rollback and restore together
 * @param actions the actions it recorded and commands it ran, in order
 * @param error the last error, or null
 */
public record StepReport(int index, String description, StepState state, String checkpoint, Duration duration,
    List<String> actions, String error) {

  /** Copies the actions. */
  public StepReport {
    actions = List.copyOf(actions);
  }
}
