package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.Preview;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollback killed with SIGKILL right after its swap: the next run must not restore the same backup again and call
 * the backup's data "the original". It refuses, names both copies, and says how to put the original back.
 */
class KilledRunIT {
  @TempDir
  Path tmp;
  DbFixture fx;
  PostgresDatabase db;
  BackupCatalog catalog;
  Map<String, String> before;
  Map<String, String> migrated;

  @BeforeEach
  void backupThenDestructiveMigration() throws Exception {
    fx = DbFixture.postgres();
    db = fx.pg();
    catalog = BackupCatalog.at(tmp.resolve("backups"));
    DbFixture.Migrated m = fx.backedUpThenMigrated(catalog);
    before = m.before();
    migrated = m.migrated();
  }

  @AfterEach
  void drop() throws Exception {
    if (fx != null) {
      fx.dropAll();
    }
  }

  RollbackPlan.Builder plan() {
    return RollbackPlan.builder("db-" + fx.name).lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl")));
  }

  @Test
  void runAfterOneKilledAfterItsSwapRefusesNamingBothCopiesAndTheSqlThatPutsTheOriginalBack() throws Exception {
    try (ChildJvm child = ChildJvm.start(List.of("-Drollback.test.env=" + System.getProperty("rollback.test.env")),
        SwapThenHangMain.class, fx.name, catalog.directory(), tmp.toString())) {
      child.awaitLine("SWAPPED", Duration.ofSeconds(180));
      child.process().destroyForcibly(); // SIGKILL
      child.waitFor(Duration.ofSeconds(30));
    }
    List<String> left = fx.databasesLikeMine();
    assertThat(left).hasSize(2);
    String original = left.get(1);
    assertThat(original).matches(fx.name + "_pre_rb_\\d{14}");
    String stamp = original.substring(original.length() - 14);
    String when = stamp.substring(0, 4) + "-" + stamp.substring(4, 6) + "-" + stamp.substring(6, 8) + " "
        + stamp.substring(8, 10) + ":" + stamp.substring(10, 12) + ":" + stamp.substring(12) + " UTC";
    assertThat(fx.checksums(fx.name)).as("the killed run had swapped the backup in").isEqualTo(before);
    int backups = catalog.list().size();

    DbRestoreRollback step = DbRestoreRollback.of(db).fromLatest(catalog);
    Preview preview = plan().step(step).build().preview();
    RollbackReport r = plan().step(step).build().run();

    String n = fx.name;
    String failed = n + "_rb_failed_" + stamp;
    String sql = "ALTER DATABASE \"" + n + "\" WITH ALLOW_CONNECTIONS false; SELECT count(pg_terminate_backend(pid))"
        + " FROM pg_stat_activity WHERE datname = '" + n + "' AND pid <> pg_backend_pid(); ALTER DATABASE \"" + n
        + "\" RENAME TO \"" + failed + "\"; ALTER DATABASE \"" + original + "\" RENAME TO \"" + n + "\"; ALTER"
        + " DATABASE \"" + n + "\" WITH ALLOW_CONNECTIONS true;";
    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).isEqualTo("step 1 (" + step.describe() + ") refused: an earlier run's swap is"
        + " unaccounted for: " + original + " holds " + n + " as it was before the run of " + when + " swapped the"
        + " backup's data into " + n + "; " + n + " now holds what that run restored, and whatever was written"
        + " since. Restoring again would keep that as \"the original\" and leave the real one where no report names"
        + " it. To put " + original + " back as " + n + " (keeping the current one as " + failed + ") run `" + sql
        + "` as " + fx.user + " on " + fx.host + ":" + fx.port + "; or, once you know it is not needed, drop it; or,"
        + " to restore over what " + n + " holds now and keep the copies, call acknowledgeEarlierCopies(\""
        + original + "\")");
    assertThat(preview.wouldProceed()).isFalse();
    assertThat(preview.toString()).contains("earlier copy " + original + ": " + n + " as it was before the run of "
        + when + " swapped its restore into the name; " + n + " holds that restore (and writes since)");
    assertThat(fx.databasesLikeMine()).as("nothing changed").containsExactly(n, original);
    assertThat(catalog.list()).as("no safety backup taken").hasSize(backups);

    // the refusal's SQL, run as written, puts the real original back
    fx.exec("postgres", sql);
    assertThat(fx.checksums(n)).isEqualTo(migrated);

    // the restored copy is left aside: a later run names it and proceeds
    RollbackReport again = plan().step(step).build().run();
    assertThat(again.outcome()).as(again.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(again.steps().get(0).actions()).contains("earlier copy " + failed + ": what the run of " + when
        + " restored, kept when it swapped the original back; drop it once nobody needs it");
    assertThat(fx.checksums(n)).isEqualTo(before);
  }

  @Test
  void earlierSwapAcknowledgedByNameLetsTheRunProceedAndTheReportStillNamesIt() throws Exception {
    String earlier = fx.name + "_pre_rb_20200101000000";
    String orphan = fx.name + "_rb_20200102000000";
    fx.exec("postgres", "CREATE DATABASE " + earlier);
    fx.exec("postgres", "CREATE DATABASE " + orphan);
    DbRestoreRollback step = DbRestoreRollback.of(db).fromLatest(catalog)
        .stopWriters(Writers.callbacks("pause the app", () -> {}, () -> {}));

    RollbackReport refused = plan().step(step).build().run();
    RollbackReport r = plan().step(step.acknowledgeEarlierCopies(earlier)).build().run();

    assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(refused.failure()).contains(earlier + " holds " + fx.name + " as it was before the run of"
        + " 2020-01-01 00:00:00 UTC");
    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.steps().get(0).actions()).contains("earlier copy " + earlier + " (acknowledged): " + fx.name
        + " as it was before the run of 2020-01-01 00:00:00 UTC swapped its restore into the name; " + fx.name
        + " holds that restore (and writes since)", "earlier copy " + orphan + ": an unfinished restore of the run of"
        + " 2020-01-02 00:00:00 UTC, which ended before its swap (" + fx.name + " was not touched by it); drop it once"
        + " no run uses it. If that run was killed after stopping the writers (it stops them just before the swap),"
        + " they may still be stopped: start the writers (pause the app)");
    assertThat(fx.checksums(fx.name)).isEqualTo(before);
    assertThat(fx.databasesLikeMine()).contains(earlier, orphan);
  }
}
