/**
 * Seed 001 (infra/rollback.sh): writers stopped, a safety backup, the newest {@code pre-deployment-*.dump}
 * restored, writers restarted, a health check; and the full rollback of code and database.
 */
package dev.rollback.examples.seed001;
