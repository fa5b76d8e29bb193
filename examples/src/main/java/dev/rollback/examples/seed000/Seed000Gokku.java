package dev.rollback.examples.seed000;

import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.drill.DrillReport;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Times;
import dev.rollback.examples.support.Web;
import java.nio.file.Files;

/**
 * Seed 000 as a program: five healthy Gokku releases of {@code api}, a sixth that fails /health, {@code gokku
 * rollback} to the previous release (the drill, timed), then {@code gokku rollback <id>} to the third release.
 * Prints each plan's preview, the reports, and {@code rollback.log}. Exits 0 when both rollbacks were verified.
 * See {@link Seed000App} for what stands in for what.
 */
public final class Seed000Gokku {
  private Seed000Gokku() {}

  /**
   * Runs the example.
   *
   * @param args none
   * @throws Exception when the app cannot be set up
   */
  public static void main(String[] args) throws Exception {
    boolean ok;
    try (Seed000App app = Seed000App.start(SeedEnv.load())) {
      System.out.println("== releases " + app.releases().ids() + ", current " + app.releases().currentId().orElse("-")
          + "; images " + app.images().ids());
      System.out.println("\n== deploying the broken release " + app.ids.get(5)
          + "; what `gokku rollback -a api-production` will do (a preview changes nothing):");
      app.deployBrokenRelease();
      System.out.println(app.plan(null).preview());
      System.out.println("retention removed " + app.removedByRetention() + " (never current or previous)");
      DrillReport drill = app.drillToPrevious(false).run();
      System.out.println(drill.toText());
      System.out.println("/ now answers " + Web.body("http://127.0.0.1:" + Seed000App.PORT + "/").strip());

      String target = app.ids.get(2);
      System.out.println("\n== `gokku rollback -a api-production " + target + "`");
      RollbackPlan toId = app.plan(target);
      System.out.println(toId.preview());
      RollbackReport byId = toId.run();
      System.out.println(byId.toText());
      System.out.println("/ now answers " + Web.body("http://127.0.0.1:" + Seed000App.PORT + "/").strip()
          + "; current/.env: " + Files.readString(app.root().resolve("current/.env")).strip());
      System.out.println("\n== " + app.root().resolve("rollback.log"));
      System.out.print(Files.readString(app.root().resolve("rollback.log")));
      ok = drill.passed() && byId.rolledBack();
      System.out.println("\ntime to recover (first failed probe to verified healthy): "
          + Times.seconds(drill.timeToRecover()) + "; rollback to " + target + ": " + Times.seconds(byId.duration()));
    }
    System.exit(ok ? 0 : 1);
  }
}
