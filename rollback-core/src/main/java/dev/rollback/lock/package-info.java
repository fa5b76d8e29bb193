/**
 * Per-target locks so one target is never rolled back twice at once: OS file locks locally, atomic
 * {@code mkdir} through an executor for a shared host. A stale lock is broken explicitly, never silently.
 */
package dev.rollback.lock;
