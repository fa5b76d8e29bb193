/**
 * Automatic rollback (seed 002's trigger table): a {@link dev.rollback.trigger.Watchdog} polls
 * {@link dev.rollback.trigger.Trigger}s (consecutive failed checks, a metric above a threshold for a duration, a
 * metric above a multiple of its pre-deploy baseline) and runs a plan once when one trips.
 */
package dev.rollback.trigger;
