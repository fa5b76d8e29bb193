package dev.rollback;

/**
 * The SPI every strategy implements: one kind of target moved to an earlier state, reversibly.
 *
 * <p>The plan calls, for each step in order: {@link #preflight}, for all steps before any change; then
 * {@link #checkpoint} and {@link #rollback}; and, when a later step or the verification fails,
 * {@link #restore} with the checkpoint this step returned; when the plan's verification passed, {@link #finish}
 * with that checkpoint. A strategy keeps its restore material (a replaced container, the original database, a
 * safety archive, an old color) through {@code rollback} and drops it only in {@code finish}: a restore after a
 * failed verification must find everything the checkpoint names. A strategy runs every command through
 * {@link RollbackContext#executor(dev.rollback.exec.Executor)} so that a preview records the commands instead of
 * running them, and reports the actions it takes with {@link RollbackContext#action(String)}.
 *
 * <p>Implementations should be immutable and safe to run more than once.
 */
public interface RollbackStrategy {

  /**
   * One human line, used by previews and reports: {@code switch /srv/app/current to the previous release}.
   *
   * @return the description
   */
  String describe();

  /**
   * Checks, before any step changes anything, that this step can run: its target exists, its inputs are intact.
   * The default does nothing.
   *
   * @param ctx the run's context
   * @throws RollbackException explaining what is missing; the plan then stops with nothing changed
   */
  default void preflight(RollbackContext ctx) {}

  /**
   * Records what runs now, before anything changes.
   *
   * @param ctx the run's context
   * @return what {@link #restore} needs to put it back
   */
  Checkpoint checkpoint(RollbackContext ctx);

  /**
   * Moves the target to the earlier state.
   *
   * @param ctx the run's context
   */
  void rollback(RollbackContext ctx);

  /**
   * Puts back what the checkpoint recorded. Called after this step's rollback ran, or failed partway.
   *
   * <p>When it cannot finish, it should throw a {@link RestoreIncompleteException} that says what is where now and
   * the one action that puts the original back: the report quotes it to the person who must act. Any other
   * exception is reported with the checkpoint's description and a request to look before acting.
   *
   * @param ctx the run's context
   * @param checkpoint what {@link #checkpoint} returned
   * @throws RestoreIncompleteException when the original is not back, saying where things stand
   */
  void restore(RollbackContext ctx, Checkpoint checkpoint);

  /**
   * Drops the restore material this step kept for {@link #restore}, once the plan is verified: removes the replaced
   * container, drops an original database copy when asked to, releases a safety archive to retention. Called for
   * each step that rolled back, newest first, only after the plan's verification passed (for a plan without
   * checks, after its last step); never after a failure. For {@link RollbackPlan#runUndoable()} it is called only
   * when the caller gives the run up with {@link CompletedRun#finish()}, so an undo still finds everything.
   *
   * <p>A failure here does not change the outcome (the target is rolled back and verified): the report lists what
   * was left behind for a person to remove. The default does nothing.
   *
   * @param ctx the run's context
   * @param checkpoint what {@link #checkpoint} returned
   */
  default void finish(RollbackContext ctx, Checkpoint checkpoint) {}
}
