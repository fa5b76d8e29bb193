/**
 * Seed 002: image rollback, blue-green through nginx, a gzip SQL dump restore with its data-loss warning, the
 * verification script (HTTP, a command in the container, a Prometheus error-rate query), and an automatic
 * rollback after 3 failed health checks.
 */
package dev.rollback.examples.seed002;
