/**
 * Seed 004: Recreate with backups of compose file, .env and image list; Blue-Green through Caddy; the
 * post-rollback verification (containers running, healthy, logs clean, health endpoint, a data spot-check).
 */
package dev.rollback.examples.seed004;
