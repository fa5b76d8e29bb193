package dev.rollback.examples.seed001;

import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Times;
import dev.rollback.examples.support.Sql;

/**
 * Seed 001 as a program: a bad migration, then {@code ./rollback.sh production} (safety backup, newest
 * pre-deployment dump restored, writers stopped and restarted around the swap, health check); then a bad deploy
 * of code and database and the full rollback. Prints each preview and report; exits 0 when both were verified.
 * See {@link Seed001App}.
 */
public final class Seed001Rollback {
  private Seed001Rollback() {}

  /**
   * Runs the example.
   *
   * @param args none
   * @throws Exception when the setup fails
   */
  public static void main(String[] args) throws Exception {
    boolean ok;
    try (Seed001App app = Seed001App.start(SeedEnv.load())) {
      System.out.println("== backups: " + app.catalog().list());
      app.breakDatabase();
      System.out.println("== a bad migration; orders now "
          + Sql.column(app.db(), "SELECT total FROM orders ORDER BY id"));
      RollbackPlan db = app.databasePlan();
      System.out.println(db.preview());
      RollbackReport dbReport = db.run();
      System.out.println(dbReport.toText());
      System.out.println("orders now " + Sql.column(app.db(), "SELECT total FROM orders ORDER BY id"));

      System.out.println("\n== a bad deploy of code and database; the full rollback");
      app.deployBadRelease();
      RollbackPlan full = app.fullPlan();
      System.out.println(full.preview());
      RollbackReport fullReport = full.run();
      System.out.println(fullReport.toText());
      System.out.println("backups now: " + app.catalog().list());
      System.out.println("\ndatabase rollback " + Times.seconds(dbReport.duration()) + "; full rollback "
          + Times.seconds(fullReport.duration()));
      ok = dbReport.rolledBack() && fullReport.rolledBack();
    }
    System.exit(ok ? 0 : 1);
  }
}
