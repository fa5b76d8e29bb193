package dev.rollback.db.migration;

/**
 * How far a downgrade goes: a number of steps back, or a revision.
 *
 * @param steps how many migrations to undo, when {@code revision} is null
 * @param revision the revision to end at, or null
 */
public record MigrationTarget(int steps, String revision) {

  /** Checks the fields. */
  public MigrationTarget {
    if (revision == null && steps < 1) {
      throw new IllegalArgumentException("a downgrade goes back at least 1 step, was " + steps);
    }
  }

  /**
   * @param n how many migrations to undo, at least 1
   * @return the target
   */
  public static MigrationTarget steps(int n) {
    return new MigrationTarget(n, null);
  }

  /**
   * @param revision the revision to end at (alembic id, Rails or Flyway version, Django migration, Liquibase tag)
   * @return the target
   */
  public static MigrationTarget revision(String revision) {
    if (revision == null || revision.isBlank()) {
      throw new IllegalArgumentException("a revision to downgrade to must not be blank");
    }
    return new MigrationTarget(0, revision);
  }

  /** @return true when the target is a revision */
  public boolean isRevision() {
    return revision != null;
  }

  @Override
  public String toString() {
    return isRevision() ? "revision " + revision : steps + " step(s) back";
  }
}
