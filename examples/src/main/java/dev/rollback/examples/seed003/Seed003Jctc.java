package dev.rollback.examples.seed003;

import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Times;
import dev.rollback.examples.support.Web;

/**
 * Seed 003 as a program: the bad commit deployed over SSH, {@code git log}, the plan's preview (with the
 * downgrade's SQL from {@code alembic downgrade -1 --sql}), the rollback (downgrade, last good commit, rebuild,
 * restart, verified), then the fix pushed and main checked out again. Exits 0 when the rollback was verified and
 * main serves the fix. See {@link Seed003App} for the stand-ins.
 */
public final class Seed003Jctc {
  private Seed003Jctc() {}

  /**
   * Runs the example.
   *
   * @param args none
   * @throws Exception when the setup fails
   */
  public static void main(String[] args) throws Exception {
    boolean ok;
    try (Seed003App app = Seed003App.start(SeedEnv.load())) {
      app.deployBadCommit();
      String url = "http://127.0.0.1:" + Seed003App.PORT + "/";
      System.out.println("== deployed the bad commit; / answers " + Web.body(url).strip() + ", /health "
          + Web.status(url + "health"));
      System.out.println("== git log --oneline -10 on the server:");
      app.working().log(10).forEach(l -> System.out.println("  " + l));
      RollbackPlan plan = app.plan();
      System.out.println("\n== the rollback to " + app.lastGood() + " (a preview changes nothing):");
      System.out.println(plan.preview());
      RollbackReport report = plan.run();
      System.out.println(report.toText());
      System.out.println("/ answers " + Web.body(url).strip());

      System.out.println("\n== the fix is pushed to main; back to main");
      app.pushFix();
      app.returnToMain();
      String after = Web.body(url + "health").strip();
      System.out.println("/health answers " + after + "; branch " + app.working().branch().orElse("(detached)"));
      System.out.println("\nrollback " + Times.seconds(report.duration()));
      ok = report.rolledBack() && after.contains("v3");
    }
    System.exit(ok ? 0 : 1);
  }
}
