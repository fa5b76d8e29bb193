/**
 * Seed 003: over SSH, the last good commit checked out, the compose stack rebuilt and restarted, an alembic
 * downgrade with its {@code --sql} preview, then back to main after the fix.
 */
package dev.rollback.examples.seed003;
