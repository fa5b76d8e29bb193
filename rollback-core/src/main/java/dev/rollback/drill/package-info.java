/**
 * Rollback drills: break a target on purpose, recover it with a watchdog or a plan, verify, and measure detection
 * and time to recover ({@link dev.rollback.drill.DrillReport}). Plain Java, easy to assert on in any test
 * framework.
 */
package dev.rollback.drill;
