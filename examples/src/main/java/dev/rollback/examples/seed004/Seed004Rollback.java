package dev.rollback.examples.seed004;

import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.examples.support.DowntimeProbe;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Times;

/**
 * Seed 004 as a program: release 2 deployed badly on two stacks; the Recreate rollback of the first and the
 * Blue-Green rollback through Caddy of the second, each previewed, run, verified, with the downtime a client
 * probing every 50 ms saw. Exits 0 when both were verified. See {@link Seed004App}.
 */
public final class Seed004Rollback {
  private Seed004Rollback() {}

  /**
   * Runs the example.
   *
   * @param args none
   * @throws Exception when the setup fails
   */
  public static void main(String[] args) throws Exception {
    boolean ok;
    try (Seed004App app = Seed004App.start(SeedEnv.load())) {
      app.deployBadRelease();
      System.out.println("== release 2 deployed on both stacks\n== Recreate (a preview changes nothing):");
      RollbackPlan recreate = app.recreatePlan();
      System.out.println(recreate.preview());
      RollbackReport r;
      DowntimeProbe probe = DowntimeProbe.start("http://127.0.0.1:" + Seed004App.RECREATE_PORT + "/");
      try (probe) {
        r = recreate.run();
      }
      System.out.println(r.toText());
      System.out.println("recreate: " + Times.seconds(r.duration()) + ", downtime seen "
          + Times.seconds(probe.downtime()) + " ("
          + probe.failed() + " of " + probe.requests() + " probes of / failed)");

      System.out.println("\n== Blue-Green through Caddy (a preview changes nothing):");
      RollbackPlan bg = app.blueGreenPlan();
      System.out.println(bg.preview());
      RollbackReport b;
      DowntimeProbe through = DowntimeProbe.start(app.caddy().url("/"));
      try (through) {
        b = bg.run();
      }
      System.out.println(b.toText());
      System.out.println("blue-green: " + Times.seconds(b.duration()) + ", " + through.failed() + " of "
          + through.requests()
          + " requests to / through Caddy failed");
      ok = r.rolledBack() && b.rolledBack();
    }
    System.exit(ok ? 0 : 1);
  }
}
