package dev.rollback;

import dev.rollback.verify.CheckResult;
import java.time.Duration;

/**
 * Hears a plan's events as they happen, so a wrapping CLI can draw progress. Every method has an empty default;
 * override the ones you need. Called on the thread running the plan; a listener that throws is logged and
 * ignored, never allowed to break a rollback.
 *
 * <p>Phases passed to step events: {@code checkpoint}, {@code rollback}, {@code restore}.
 */
public interface RollbackListener {

  /**
   * The plan took its lock and starts.
   *
   * @param target the plan's target
   * @param runId the run's id
   * @param steps how many steps the plan has
   */
  default void onPlanStarted(String target, String runId, int steps) {}

  /**
   * A step's phase starts.
   *
   * @param target the plan's target
   * @param index the step's index, from 1
   * @param step the step's description
   * @param phase {@code checkpoint}, {@code rollback} or {@code restore}
   */
  default void onStepStarted(String target, int index, String step, String phase) {}

  /**
   * A step's phase ended.
   *
   * @param target the plan's target
   * @param index the step's index, from 1
   * @param step the step's description
   * @param phase {@code checkpoint}, {@code rollback} or {@code restore}
   * @param state the step's state afterwards
   * @param duration how long the phase took
   * @param error the error when the phase failed, else null
   */
  default void onStepFinished(String target, int index, String step, String phase, StepState state,
      Duration duration, Throwable error) {}

  /**
   * A step recorded an action or ran a command.
   *
   * @param target the plan's target
   * @param index the step's index, from 1 (0 outside a step)
   * @param action one line
   */
  default void onAction(String target, int index, String action) {}

  /**
   * A check made an attempt.
   *
   * @param target the plan's target
   * @param check the check's description
   * @param attempt the attempt's number, from 1
   * @param result what it saw
   */
  default void onCheckAttempt(String target, String check, int attempt, CheckResult result) {}

  /**
   * The plan starts restoring the steps already done.
   *
   * @param target the plan's target
   * @param reason why: the failed step's error or the failed verification's summary
   */
  default void onRestoreStarted(String target, String reason) {}

  /**
   * The plan ended; the report is final.
   *
   * @param report the report
   */
  default void onOutcome(RollbackReport report) {}

  /** @return a listener that ignores everything */
  static RollbackListener none() {
    return new RollbackListener() {};
  }
}
