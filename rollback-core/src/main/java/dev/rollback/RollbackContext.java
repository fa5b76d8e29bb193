package dev.rollback;

import dev.rollback.exec.Executor;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.exec.SecretMasker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

/**
 * What a running step or check may use: the target's name, executors, the clock, the listener, a scratch
 * directory. A strategy sees this narrow view, never the plan.
 *
 * <p>Always run commands through {@link #executor(Executor)}: in a {@linkplain #dryRun() preview} it returns an
 * executor that records mutating commands instead of running them, and in a real run one that records every
 * command in the step's timeline.
 */
public interface RollbackContext {

  /** @return the plan's target name, e.g. {@code api-production} */
  String target();

  /** @return this run's id, unique per run, as written to the journal */
  String runId();

  /** @return true in a preview: nothing that changes state may run */
  boolean dryRun();

  /**
   * The executor to run commands with, in place of {@code real}.
   *
   * @param real the executor the strategy was built with
   * @return {@code real} wrapped to record commands (real run), or a dry run over it (preview)
   */
  Executor executor(Executor real);

  /** @return a local executor, wrapped as {@link #executor(Executor)} wraps */
  default Executor local() {
    return executor(LocalExecutor.create());
  }

  /** @return the clock every duration in the report is measured with */
  Clock clock();

  /** @return when this run started; checks such as "logs clean since the rollback started" use it */
  Instant startedAt();

  /** @return a directory private to this run, deleted when the run ends */
  Path scratchDir();

  /**
   * Records an action the step takes (or, in a preview, would take), for the report and the preview: {@code
   * switch current from 20240116-104500 to 20240116-091500}.
   *
   * @param description one line
   */
  void action(String description);

  /** @return the listener every event goes to */
  RollbackListener listener();

  /**
   * What to mask as secret in text a step or check reports: start from it and add what the step knows (a
   * container's environment, a command's), then mask.
   *
   * @return the plan's masker; default {@link SecretMasker#defaults()}
   */
  default SecretMasker secretMasker() {
    return SecretMasker.defaults();
  }

  /**
   * A context for running checks or strategies outside a plan (a watchdog, a test): real executors, the system
   * clock, no listener.
   *
   * @param target the target's name
   * @return the context
   */
  static RollbackContext standalone(String target) {
    return dev.rollback.internal.StandaloneContext.create(target);
  }
}
