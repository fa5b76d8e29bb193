/**
 * The migration tools {@link dev.rollback.db.MigrationDowngrade} drives: alembic, Liquibase, Flyway, Rails and
 * Django, each a {@link dev.rollback.db.migration.MigrationTool} that turns "down one step" or "down to this
 * revision" into its own command line. Implement the interface for another tool.
 */
package dev.rollback.db.migration;
