package dev.rollback.examples.seed002;

import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.drill.DrillReport;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Times;
import dev.rollback.examples.support.Sql;

/**
 * Seed 002 as a program. First rollback-image.sh: a container on the bad release rolled back to the previous
 * image. Then the automatic path: the bad deploy (release 2 into blue, users deleted), the plan's preview (with the
 * dump's "DATA WILL BE LOST SINCE"), a watchdog that fires after 3 failed health checks through nginx, the
 * database restored from the newest gzip dump, blue-green back to release 1, and the verification script. Exits 0
 * when both were verified. See {@link Seed002App} for the stand-ins.
 */
public final class Seed002Production {
  private Seed002Production() {}

  /**
   * Runs the example.
   *
   * @param args none
   * @throws Exception when the setup fails
   */
  public static void main(String[] args) throws Exception {
    boolean ok;
    try (Seed002App app = Seed002App.start(SeedEnv.load())) {
      System.out.println("== rollback-image.sh: " + Seed002App.IMAGE_APP + " runs the bad release 2");
      app.runImageAppOnBadRelease();
      RollbackPlan image = app.imagePlan();
      System.out.println(image.preview());
      RollbackReport imageReport = image.run();
      System.out.println(imageReport.toText());

      System.out.println("\n== the bad deploy: release 2 into " + Seed002App.BLUE + ", users deleted; backups: "
          + app.catalog().list());
      app.deployBadRelease();
      System.out.println("== what the automatic rollback will do (a preview changes nothing):");
      System.out.println(app.automaticPlan().preview());
      System.out.println("== watching " + app.nginx().url("/health") + "; 3 consecutive failures fire the plan");
      DrillReport drill = app.drill(false).run();
      if (drill.watchdog() != null) {
        System.out.println(drill.watchdog().toText());
      }
      System.out.println(drill.toText());
      System.out.println("users now: " + Sql.column(app.db(), "SELECT name FROM users ORDER BY id"));
      System.out.println("\nimage rollback " + Times.seconds(imageReport.duration()) + "; automatic: detection "
          + Times.seconds(drill.detectionTime()) + ", time to recover " + Times.seconds(drill.timeToRecover()));
      ok = imageReport.rolledBack() && drill.passed();
    }
    System.exit(ok ? 0 : 1);
  }
}
