package dev.rollback.db;

/** The database servers rollback-db speaks to. */
public enum DbEngine {
  /** PostgreSQL: {@code pg_dump}, {@code pg_restore}, {@code psql}. */
  POSTGRESQL,
  /** MariaDB or MySQL: {@code mariadb-dump}/{@code mysqldump}, {@code mariadb}/{@code mysql}. */
  MARIADB
}
