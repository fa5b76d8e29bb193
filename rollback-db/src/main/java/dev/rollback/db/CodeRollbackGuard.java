package dev.rollback.db;

import dev.rollback.Checkpoint;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A plan step that refuses a rollback across dangerous migrations unless the plan restores the database: its
 * preflight passes when the {@link MigrationRisk.Report} has no dangerous change, or when a
 * {@link DbRestoreRollback} step passed its preflight earlier in the same run (put this guard after it). A refusal
 * happens before any step changes anything, so the plan ends {@code REFUSED}. It changes nothing itself.
 * Made by {@link MigrationRisk.Report#guard()}.
 */
public final class CodeRollbackGuard implements RollbackStrategy {
  /** Runs (their contexts, held weakly) in which a DbRestoreRollback passed its preflight. */
  private static final java.util.Map<RollbackContext, Boolean> RESTORING = java.util.Collections.synchronizedMap(
      new java.util.WeakHashMap<>());
  private final MigrationRisk.Report report;

  CodeRollbackGuard(MigrationRisk.Report report) {
    this.report = Objects.requireNonNull(report, "report");
  }

  @Override
  public String describe() {
    return "migration risk between " + report.from() + " and " + report.to() + ": "
        + (report.dangerous() ? report.dangerousFindings().size() + " dangerous change(s); the database must be"
        + " restored too" : "no dangerous change");
  }

  @Override
  public void preflight(RollbackContext ctx) {
    if (!report.dangerous()) {
      ctx.action(report.summary());
      return;
    }
    if (RESTORING.containsKey(ctx)) {
      ctx.action("dangerous migrations crossed, and a DbRestoreRollback step restores the data: "
          + report.summary());
      return;
    }
    throw new RollbackException("a code-only rollback from " + report.to() + " to " + report.from()
        + " would leave the database in a shape the old code does not expect, with data it cannot get back: "
        + report.dangerousFindings().stream().map(MigrationRisk.Finding::toString).collect(Collectors.joining("; "))
        + ". Add a DbRestoreRollback step before this guard (restore the pre-deployment backup), or roll forward"
        + " with a fix instead");
  }

  /** Called by {@link DbRestoreRollback#preflight}: this run restores the database. */
  static void databaseRestoredIn(RollbackContext ctx) {
    RESTORING.put(ctx, Boolean.TRUE);
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    return Checkpoint.of(report.summary());
  }

  @Override
  public void rollback(RollbackContext ctx) {}

  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {}
}
