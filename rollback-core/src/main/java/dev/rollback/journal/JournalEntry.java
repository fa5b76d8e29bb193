package dev.rollback.journal;

import dev.rollback.Outcome;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of a journal.
 *
 * @param runId the run it belongs to
 * @param target the plan's target
 * @param event {@code STARTED}, {@code FINISHED} or {@code ACKNOWLEDGED} (a later run reported this interrupted
 *     one)
 * @param at when it was written
 * @param host the host of the process that wrote it
 * @param pid that process's id
 * @param outcome the outcome, for {@code FINISHED}; else null
 * @param detail a one-line summary (steps at start, the failure at the end); never a secret
 */
public record JournalEntry(String runId, String target, String event, Instant at, String host, long pid,
    Outcome outcome, String detail) {

  /** A run began: written before the first change. */
  public static final String STARTED = "STARTED";
  /** A run ended: written after the last change. */
  public static final String FINISHED = "FINISHED";
  /** A later run reported this interrupted run; it is not reported again. */
  public static final String ACKNOWLEDGED = "ACKNOWLEDGED";

  /** Checks the record's fields. */
  public JournalEntry {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(at, "at");
  }
}
