package dev.rollback.trigger;

import java.time.Instant;

/**
 * One poll of a trigger.
 *
 * @param at when it was made
 * @param healthy whether the signal looked healthy on this poll
 * @param tripped whether the trigger now calls for a rollback
 * @param value what was seen, e.g. {@code HTTP 500 (2 of 3 consecutive failures)} or
 *     {@code 0.31 > 0.10 for 45 s of 120 s}
 */
public record Observation(Instant at, boolean healthy, boolean tripped, String value) {}
