package dev.rollback.fleet;

import dev.rollback.RollbackReport;
import java.time.Duration;

/**
 * One host's part in a fleet rollback.
 *
 * @param host the host
 * @param wave its wave, from 1
 * @param outcome where it ended
 * @param duration time from its start to its end (undo included)
 * @param rollback its plan's report, or null when it did not run
 * @param undo the report of undoing it, or null
 * @param error why it failed, or null
 */
public record HostReport(String host, int wave, HostOutcome outcome, Duration duration, RollbackReport rollback,
    RollbackReport undo, String error) {}
