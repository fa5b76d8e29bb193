package dev.rollback.examples.quickstart;

import dev.rollback.drill.DrillReport;
import dev.rollback.journal.JournalEntry;

/**
 * The first program to run: no Docker, no database. Two healthy releases of a tiny HTTP service, then a broken
 * third one; a watchdog sees three failed health checks, {@code SymlinkRollback} switches {@code current} back,
 * the service restarts, the health check passes. Prints the plan's preview, the drill's timeline, the rollback
 * report and the journal entries; exits 0 when the rollback was verified.
 */
public final class Quickstart {
  private Quickstart() {}

  /**
   * Runs the quickstart.
   *
   * @param args none
   * @throws Exception when the app cannot be set up
   */
  public static void main(String[] args) throws Exception {
    int status;
    try (QuickstartApp app = QuickstartApp.start()) {
      System.out.println("== app root " + app.root() + ": releases " + app.releases().ids() + ", current "
          + app.releases().currentId().orElse("-"));
      System.out.println("\n== deploying the broken release " + app.ids[2] + " and watching /health");
      DrillReport drill = app.drill().run();
      System.out.println("\n== what the plan would do now (a preview changes nothing)");
      System.out.println(app.plan().preview());
      if (drill.watchdog() != null) {
        System.out.println("== " + drill.watchdog().toText());
      }
      System.out.println("== " + drill.toText());
      System.out.println("== journal " + app.root().resolve("rollback.log.jsonl"));
      for (JournalEntry e : app.journal().entries("quickstart")) {
        System.out.println("  " + e.at() + " " + e.event() + " run " + e.runId()
            + (e.outcome() == null ? "" : " " + e.outcome()) + ": " + e.detail());
      }
      System.out.println("\ncurrent is " + app.releases().currentId().orElse("-") + "; the rollback was "
          + (drill.passed() ? "verified" : "NOT verified"));
      status = drill.passed() ? 0 : 1;
    }
    System.exit(status);
  }
}
