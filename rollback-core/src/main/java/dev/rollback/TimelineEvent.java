package dev.rollback;

import java.time.Duration;
import java.time.Instant;

/**
 * One entry of a report's timeline.
 *
 * @param at when it happened
 * @param offset time since the run started
 * @param step the step's index from 1, or 0 for plan-level events
 * @param kind {@code plan}, {@code checkpoint}, {@code rollback}, {@code restore}, {@code action}, {@code check},
 *     {@code verify}, {@code outcome}
 * @param message one line
 */
public record TimelineEvent(Instant at, Duration offset, int step, String kind, String message) {}
