/**
 * Runnable programs that show the SDK end to end: the quickstart (no Docker), and one program per seed runbook
 * ({@code seed000} to {@code seed004}, run with {@code scripts/seed.sh NNN}, described in docs/seeds.md) against
 * the real servers of scripts/test-env.sh.
 */
package dev.rollback.examples;
