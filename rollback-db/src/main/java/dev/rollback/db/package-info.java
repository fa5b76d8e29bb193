/**
 * Databases: PostgreSQL and MariaDB backup catalogues with checksummed manifests, restores that never lose the
 * original, migration downgrades, migration risk classification and SQL checks.
 */
package dev.rollback.db;
