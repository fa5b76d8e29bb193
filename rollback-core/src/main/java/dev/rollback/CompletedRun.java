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
  private RollbackReport undoReport;

  /**
   * @param report the run's report
   * @param undo restores the run's steps in reverse order, or null when there is nothing to undo
   */
  public CompletedRun(RollbackReport report, Supplier<RollbackReport> undo) {
    this.report = report;
    this.undo = undo;
  }

  /** @return the run's report */
  public RollbackReport report() {
    return report;
  }

  /** @return true when the run rolled back and has not been undone */
  public synchronized boolean undoable() {
    return undo != null;
  }

  /**
   * Restores the run's steps in reverse order, from the checkpoints it took, under the target's lock. No
   * verification follows: the state restored is the one the rollback moved away from.
   *
   * @return the undo's report: {@code RESTORED}, or {@code FAILED} naming the step that could not be restored
   * @throws IllegalStateException when the run did not roll back or was undone already
   * @throws RollbackInProgressException when another run holds the target's lock
   */
  public synchronized RollbackReport undo() {
    if (undo == null) {
      throw new IllegalStateException(undoReport != null ? "run " + report.runId() + " was undone already"
          : "run " + report.runId() + " ended " + report.outcome() + "; only a rollback that succeeded is undone");
    }
    Supplier<RollbackReport> u = undo;
    undo = null;
    undoReport = u.get();
    return undoReport;
  }

  /** @return the undo's report, or null when not undone */
  public synchronized RollbackReport undoReport() {
    return undoReport;
  }
}
