package dev.rollback.db;

/**
 * How a database password reaches the client tools. Never argv: a command line is readable by every user of the
 * host through {@code /proc/<pid>/cmdline} and {@code ps}.
 */
public enum PasswordDelivery {
  /** In the tool's environment ({@code PGPASSWORD}, {@code MYSQL_PWD}), readable only by the same user. Default. */
  ENVIRONMENT,
  /**
   * In a file written with mode 600 on the tool's host just before the tool runs ({@code PGPASSFILE}, MariaDB's
   * {@code --defaults-extra-file}) and removed right after it ends, for hosts where the environment is logged.
   */
  FILE
}
