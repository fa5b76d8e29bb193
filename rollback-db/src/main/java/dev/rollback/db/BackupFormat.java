package dev.rollback.db;

/** How a backup's bytes are laid out; the file name's extension follows from it. */
public enum BackupFormat {
  /** PostgreSQL custom format ({@code pg_dump -Fc}): compressed, restored with {@code pg_restore}, {@code -j N}. */
  PG_CUSTOM(DbEngine.POSTGRESQL, ".dump"),
  /** PostgreSQL plain SQL, gzipped ({@code pg_dump -Fp -Z 6}), restored with {@code gunzip | psql} (seed 002). */
  PG_SQL_GZ(DbEngine.POSTGRESQL, ".sql.gz"),
  /** MariaDB {@code mariadb-dump --single-transaction} SQL, gzipped, restored with {@code gunzip | mariadb}. */
  MARIADB_SQL_GZ(DbEngine.MARIADB, ".sql.gz");

  private final DbEngine engine;
  private final String extension;

  BackupFormat(DbEngine engine, String extension) {
    this.engine = engine;
    this.extension = extension;
  }

  /** @return the engine whose tools read and write this format */
  public DbEngine engine() {
    return engine;
  }

  /** @return the file name's extension, with its dot: {@code .dump} or {@code .sql.gz} */
  public String extension() {
    return extension;
  }

  /** @return true for gzipped SQL, which streams through {@code gunzip -c} */
  public boolean gzipped() {
    return extension.endsWith(".gz");
  }

  /**
   * The default format of an engine: custom for PostgreSQL (parallel restore), SQL gzipped for MariaDB.
   *
   * @param engine the engine
   * @return its default format
   */
  public static BackupFormat defaultFor(DbEngine engine) {
    return engine == DbEngine.POSTGRESQL ? PG_CUSTOM : MARIADB_SQL_GZ;
  }
}
