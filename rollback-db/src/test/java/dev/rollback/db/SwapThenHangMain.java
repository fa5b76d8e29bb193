package dev.rollback.db;

import dev.rollback.RollbackPlan;
import dev.rollback.exec.Secret;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.TestEnvironment;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Child JVM of {@link KilledRunIT}: runs a DbRestoreRollback of database {@code args[0]} from the catalogue in
 * {@code args[1]} (lock and journal under {@code args[2]}), prints {@code SWAPPED} right after the swap (when the
 * writers are started) and hangs there until the parent kills it. The password comes from the test environment
 * file, never argv.
 */
public final class SwapThenHangMain {
  private SwapThenHangMain() {}

  /** @param args database name, catalogue directory, directory for the lock and journal */
  public static void main(String[] args) throws Exception {
    TestEnvironment env = TestEnvironment.load();
    PostgresDatabase db = PostgresDatabase.named(args[0]).host(env.get("pg.host")).port(env.port("pg.port"))
        .user(env.get("pg.user")).password(Secret.of(env.get("pg.password")));
    Path dir = Path.of(args[2]);
    CountDownLatch never = new CountDownLatch(1);
    RollbackPlan.builder("db-" + args[0]).lock(TargetLock.inDirectory(dir.resolve("locks")))
        .journal(Journal.jsonLines(dir.resolve("journal.jsonl")))
        .step(DbRestoreRollback.of(db).fromLatest(BackupCatalog.at(Path.of(args[1])))
            .stopWriters(Writers.callbacks("the app", () -> {}, () -> {
              System.out.println("SWAPPED");
              System.out.flush();
              try {
                never.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            })))
        .build().run();
  }
}
