package dev.rollback.db.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Django: {@code python manage.py migrate <app> <NNNN>} (to a migration; {@code zero} for none), previewed with
 * {@code sqlmigrate <app> <current> --backwards} (the SQL undoing the newest applied migration), restored with
 * {@code migrate <app> <current>}. Django needs a migration name: a count of steps is refused.
 */
public final class Django implements MigrationTool {
  private final String app;

  /**
   * @param app the Django app whose migrations move
   */
  public Django(String app) {
    this.app = Objects.requireNonNull(app, "app");
  }

  @Override
  public String name() {
    return "django (" + app + ")";
  }

  @Override
  public List<String> defaultCommand() {
    return List.of("python", "manage.py");
  }

  @Override
  public List<String> currentArgs() {
    return List.of("showmigrations", app);
  }

  /** The last applied ({@code [X]}) migration of the app. */
  @Override
  public String parseCurrent(String output) {
    String last = "zero";
    for (String line : output.lines().toList()) {
      String l = line.strip();
      if (l.startsWith("[X]")) {
        last = l.substring(3).strip();
      }
    }
    return last;
  }

  @Override
  public List<String> downgradeArgs(MigrationTarget target, String current) {
    if (!target.isRevision()) {
      throw new IllegalArgumentException("django migrates to a named migration: use toRevision(\"0003\") (or"
          + " \"zero\"), not a count of steps");
    }
    return List.of("migrate", app, target.revision());
  }

  @Override
  public Optional<List<String>> previewArgs(MigrationTarget target, String current) {
    if (current.equals("zero")) {
      return Optional.empty();
    }
    return Optional.of(new ArrayList<>(List.of("sqlmigrate", app, current, "--backwards")));
  }

  @Override
  public List<String> upgradeArgs(String revision, MigrationTarget target) {
    return List.of("migrate", app, revision);
  }
}
