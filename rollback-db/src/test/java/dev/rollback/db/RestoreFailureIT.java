package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected into the real PostgreSQL while DbRestoreRollback puts the original back: a restart it waits out,
 * a server that stays away, a swap back that is blocked, writers that do not start. Each failure is reported with
 * what is where and the one action, word for word, and the action is then run to prove it right.
 */
class RestoreFailureIT {
  @TempDir
  Path tmp;
  DbFixture fx;
  PostgresDatabase db;
  BackupCatalog catalog;
  Map<String, String> before;
  Map<String, String> migrated;
  PgCluster cluster;

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
  void serverUpAndDatabasesDropped() throws Exception {
    try {
      if (cluster != null) {
        cluster.startAndAwaitReady();
      }
    } finally {
      if (fx != null) {
        fx.dropAll();
      }
    }
  }

  RollbackPlan.Builder plan() {
    return RollbackPlan.builder("db-" + fx.name).lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl")));
  }

  static VerificationChain failing(PostgresDatabase db) {
    return VerificationChain.of(SqlCheck.on(db, "SELECT 1").expectValue("2")).retry(Retry.once());
  }

  String copy(String kind) throws java.sql.SQLException {
    java.util.List<String> all = fx.databasesLikeMine();
    return all.stream().filter(n -> n.matches(fx.name + "_" + kind + "_\\d{14}")).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " copy among " + all));
  }

  @Test
  void serverRestartingWhileTheOriginalIsSwappedBackIsWaitedForAndTheRunEndsRestored() throws Exception {
    cluster = PgCluster.of(fx);
    AtomicReference<CompletableFuture<Void>> starting = new AtomicReference<>();
    RollbackListener restart = new RollbackListener() {
      @Override
      public void onRestoreStarted(String target, String reason) {
        try {
          cluster.stop();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public void onAction(String target, int index, String action) {
        // started again only once the restore is seen waiting for it
        if (action.contains("refused the connection") && starting.get() == null) {
          starting.set(CompletableFuture.runAsync(() -> {
            try {
              cluster.startAndAwaitReady();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }));
        }
      }
    };
    DbRestoreRollback step = DbRestoreRollback.of(db).fromLatest(catalog);

    RollbackReport r = plan().step(step).listener(restart).verify(failing(db))
        .verifyAfterRestore(VerificationChain.none()).build().run();
    if (starting.get() != null) {
      starting.get().join();
    }

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.RESTORED);
    String failed = copy("rb_failed");
    String stamp = failed.substring(failed.length() - 14);
    assertThat(r.steps().get(0).actions())
        .anyMatch(a -> a.startsWith("postgresql on " + fx.host + ":" + fx.port + " refused the connection ("))
        .anyMatch(a -> a.startsWith("postgresql on " + fx.host + ":" + fx.port + " accepts connections again"))
        .contains("swap the original back from " + fx.name + "_pre_rb_" + stamp + "; the restored database is kept as "
            + failed);
    assertThat(fx.checksums(fx.name)).as("the original is back").isEqualTo(migrated);
  }

  @Test
  void serverThatStaysAwayLeavesTheOriginalUntouchedAndTheReportSaysDropTheUnfinishedCopy() throws Exception {
    cluster = PgCluster.of(fx);
    Check stopsTheServer = new Check() {
      @Override
      public String describe() {
        return "a check during which the server stops";
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        try {
          cluster.stop();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return CheckResult.fail("the server stopped");
      }
    };
    DbRestoreRollback step = DbRestoreRollback.of(db).fromLatest(catalog).reconnectWithin(Duration.ofSeconds(1))
        .checkRestored(d -> stopsTheServer);

    RollbackReport r = plan().step(step).build().run();
    cluster.startAndAwaitReady();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.FAILED);
    String unfinished = copy("rb");
    String drop = "DROP DATABASE IF EXISTS \"" + unfinished + "\" WITH (FORCE)";
    assertThat(r.actionsRequired()).hasSize(1);
    assertThat(r.actionsRequired().get(0)).startsWith("step 1 (" + step.describe() + "): the original database "
        + fx.name + " was never touched. Do: drop the unfinished copy `" + unfinished + "`: run `" + drop + "` as "
        + fx.user + " on " + fx.host + ":" + fx.port + " (the restore stopped on: command failed (");
    assertThat(fx.checksums(fx.name)).as("the original, never touched").isEqualTo(migrated);

    fx.exec("postgres", drop);
    assertThat(fx.databasesLikeMine()).containsExactly(fx.name);
  }

  @Test
  void swapBackThatFailsNamesWhereTheOriginalIsAndTheSqlThatPutsItBack() throws Exception {
    Check blocksTheSwapBack = new Check() {
      @Override
      public String describe() {
        return "a check that takes the name the restored copy would move to";
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        try {
          String keep = copy("pre_rb");
          fx.exec("postgres", "CREATE DATABASE \"" + fx.name + "_rb_failed_" + keep.substring(keep.length() - 14)
              + "\"");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        return CheckResult.fail("blocked");
      }
    };
    DbRestoreRollback step = DbRestoreRollback.of(db).fromLatest(catalog)
        .stopWriters(Writers.commands(LocalExecutor.create(), Command.of("true"), Command.of("true")));

    RollbackReport r = plan().step(step).verify(VerificationChain.of(blocksTheSwapBack).retry(Retry.once()))
        .verifyAfterRestore(VerificationChain.none()).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.FAILED);
    String keep = copy("pre_rb");
    String failed = copy("rb_failed");
    String n = fx.name;
    String sql = "ALTER DATABASE \"" + n + "\" WITH ALLOW_CONNECTIONS false; SELECT count(pg_terminate_backend(pid))"
        + " FROM pg_stat_activity WHERE datname = '" + n + "' AND pid <> pg_backend_pid(); ALTER DATABASE \"" + n
        + "\" RENAME TO \"" + failed + "\"; ALTER DATABASE \"" + keep + "\" RENAME TO \"" + n + "\"; ALTER DATABASE \""
        + n + "\" WITH ALLOW_CONNECTIONS true;";
    assertThat(r.actionsRequired()).hasSize(1);
    assertThat(r.actionsRequired().get(0)).startsWith("step 1 (" + step.describe() + "): the swap happened: the"
        + " original is " + keep + ", the restored data is " + n + "; the writers are stopped. Do: to put the"
        + " original back run `" + sql + "` as " + fx.user + " on " + fx.host + ":" + fx.port + "; then run `true`"
        + " on local (the restore stopped on: ").contains("already exists");

    // the action, done as written once the blocker is gone, puts the original back
    fx.exec("postgres", "DROP DATABASE \"" + failed + "\"");
    fx.exec("postgres", sql);
    assertThat(fx.checksums(n)).isEqualTo(migrated);
  }

  @Test
  void writersThatDoNotStartAfterTheOriginalIsBackAreReportedWithTheirStartCommand() throws Exception {
    DbRestoreRollback step = DbRestoreRollback.of(db).fromLatest(catalog)
        .stopWriters(Writers.commands(LocalExecutor.create(), Command.of("true"), Command.of("sh", "-c", "exit 3")));

    RollbackReport r = plan().step(step).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.FAILED);
    String failed = copy("rb_failed");
    assertThat(r.actionsRequired()).hasSize(1);
    assertThat(r.actionsRequired().get(0)).startsWith("step 1 (" + step.describe() + "): the original database "
        + fx.name + " is back (what the rollback restored is kept as " + failed + "); the writers are still stopped."
        + " Do: run `sh -c 'exit 3'` on local (the restore stopped on: command failed (exit 3)");
    assertThat(fx.checksums(fx.name)).isEqualTo(migrated);
  }

  @Test
  void inPlaceRestoreWithADamagedSafetyBackupKeepsTheDatabaseAndSaysWhereTheOriginalIs() throws Exception {
    Check damagesTheSafetyBackup = new Check() {
      @Override
      public String describe() {
        return "a check that damages the safety backup";
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        try (var ch = java.nio.file.Files.newByteChannel(Path.of(catalog.latest(BackupCatalog.PRE_ROLLBACK).path()),
            java.nio.file.StandardOpenOption.WRITE)) {
          ch.position(100);
          ch.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return CheckResult.fail("damaged");
      }
    };
    DbRestoreRollback step = DbRestoreRollback.of(db).fromLatest(catalog).restoreInPlace()
        .stopWriters(Writers.callbacks("pause the app", () -> {}, () -> {}));

    RollbackReport r = plan().step(step).verify(VerificationChain.of(damagesTheSafetyBackup).retry(Retry.once()))
        .verifyAfterRestore(VerificationChain.none()).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.FAILED);
    Backup safety = catalog.latest(BackupCatalog.PRE_ROLLBACK);
    String n = fx.name;
    assertThat(r.actionsRequired()).hasSize(1);
    assertThat(r.actionsRequired().get(0)).startsWith("step 1 (" + step.describe() + "): the database " + n
        + " holds what the rollback restored (or part of it); the original is only in the safety backup "
        + safety.path() + " (on local), which fails its check. Do: find out why the safety backup changed; only if it"
        + " is sound, restore it into " + n + " emptied: run `DROP DATABASE IF EXISTS \"" + n + "\" WITH (FORCE);"
        + " CREATE DATABASE \"" + n + "\" TEMPLATE template0 OWNER ")
        .contains("` as " + fx.user + " on " + fx.host + ":" + fx.port + ", then `pg_restore ")
        .contains(" -d " + n + " --exit-on-error --single-transaction " + safety.path() + "` (the restore stopped on:"
            + " backup " + safety.name() + " has SHA-256 ");
    assertThat(fx.checksums(n)).as("what the rollback restored: not dropped for a backup that cannot be restored")
        .isEqualTo(before);
  }
}
