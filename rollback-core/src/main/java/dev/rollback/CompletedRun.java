package dev.rollback;

import java.util.function.Supplier;

/**
 * A finished run whose steps can still be put back later from their checkpoints: a fleet restores the hosts of a
 * failed wave that had rolled back fine. Returned by {@link RollbackPlan#runUndoable()}. Thread-safe; undone at
 * most once.
 */
public final class CompletedRun {
  private final RollbackReport report;
  private Supplier<RollbackReport> undo;
  private Supplier<RollbackReport> finish;
  private RollbackReport undoReport;
  private RollbackReport finishReport;

  /**
   * A run whose steps keep nothing to drop: {@link #finish()} does nothing.
   *
   * @param report the run's report
   * @param undo restores the run's steps in reverse order, or null when there is nothing to undo
   */
  public CompletedRun(RollbackReport report, Supplier<RollbackReport> undo) {
    this(report, undo, null);
  }

  /**
   * @param report the run's report
   * @param undo restores the run's steps in reverse order, or null when there is nothing to undo
   * @param finish lets the run's steps drop their restore material ({@link RollbackStrategy#finish}), or null
   */
  public CompletedRun(RollbackReport report, Supplier<RollbackReport> undo, Supplier<RollbackReport> finish) {
    this.report = report;
    this.undo = undo;
    this.finish = finish;
  }

  /** @return the run's report */
  public RollbackReport report() {
    return report;
  }

  /** @return true when the run rolled back and has been neither undone nor finished */
  public synchronized boolean undoable() {
    return undo != null;
  }

  /**
   * Restores the run's steps in reverse order, from the checkpoints it took, under the target's lock. No
   * verification follows: the state restored is the one the rollback moved away from.
   *
   * @return the undo's report: {@code RESTORED}, or {@code FAILED} naming the step that could not be restored
   * @throws IllegalStateException when the run did not roll back, or was undone or {@linkplain #finish finished}
   *     already
   * @throws RollbackInProgressException when another run holds the target's lock
   */
  public synchronized RollbackReport undo() {
    if (undo == null) {
      throw new IllegalStateException(undoReport != null ? "run " + report.runId() + " was undone already"
          : finishReport != null ? "run " + report.runId() + " was finished: its steps dropped what a restore needs"
          : "run " + report.runId() + " ended " + report.outcome() + "; only a rollback that succeeded is undone");
    }
    Supplier<RollbackReport> u = undo;
    undo = null;
    finish = null;
    undoReport = u.get();
    return undoReport;
  }

  /**
   * Gives the run up for good: each step drops the restore material it kept ({@link RollbackStrategy#finish}),
   * under the target's lock, newest step first. After it the run cannot be undone. Call it once the rollback is
   * known to stay (a fleet calls it for every host when the whole fleet rolled back). Does nothing when the run
   * did not roll back, or was undone or finished already.
   *
   * @return the finish's report ({@code ROLLED_BACK}; its actions required list what could not be dropped), or
   *     null when there was nothing to finish
   * @throws RollbackInProgressException when another run holds the target's lock
   */
  public synchronized RollbackReport finish() {
    Supplier<RollbackReport> f = finish;
    if (f == null) {
      return null;
    }
    finish = null;
    undo = null;
    finishReport = f.get();
    return finishReport;
  }

  /** @return the undo's report, or null when not undone */
  public synchronized RollbackReport undoReport() {
    return undoReport;
  }
}
