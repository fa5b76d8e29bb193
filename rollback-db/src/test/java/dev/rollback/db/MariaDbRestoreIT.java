package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DbRestoreRollback against the real MariaDB: table swap, in place, refusals, a restore failing midway. */
class MariaDbRestoreIT {
  @TempDir
  Path tmp;
  DbFixture fx;
  MariaDbDatabase db;
  BackupCatalog catalog;
  Map<String, String> before;
  Map<String, String> migrated;
  final AtomicInteger stops = new AtomicInteger();

  @BeforeEach
  void schemaWithDataBackupAndDestructiveMigration() throws Exception {
    fx = DbFixture.mariadb();
    db = fx.maria();
    fx.createWithData(500);
    catalog = BackupCatalog.at(tmp.resolve("backups"));
    before = fx.checksums(fx.name);
    catalog.create(db, BackupCatalog.PRE_DEPLOYMENT);
    fx.destructiveMigration();
    migrated = fx.checksums(fx.name);
    assertThat(migrated).isNotEqualTo(before);
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

  DbRestoreRollback restore() {
    return DbRestoreRollback.of(db).fromLatest(catalog)
        .stopWriters(Writers.callbacks("pause the shop", stops::incrementAndGet, () -> {}));
  }

  @Test
  void tableSwapPutsTheDataBackExactlyAndKeepsTheOriginalTables() throws Exception {
    RollbackReport r = plan().step(restore()).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(fx.checksums(fx.name)).isEqualTo(before);
    assertThat(fx.column(fx.name, "SELECT email FROM users WHERE id = 7")).containsExactly("u7@example.com");
    String kept = fx.databasesLikeMine().stream().filter(n -> n.contains("_kept_rb_")).findFirst().orElseThrow();
    assertThat(fx.checksums(kept)).isEqualTo(migrated);
    assertThat(fx.databasesLikeMine()).as("the emptied restore schema is dropped").hasSize(2);
    assertThat(r.steps().get(0).actions()).anyMatch(a -> a.contains("RENAME TABLE"));
    assertThat(catalog.latest(BackupCatalog.PRE_ROLLBACK).name()).endsWith(".sql.gz");
    assertThat(stops.get()).isEqualTo(1);
  }

  @Test
  void truncatedBackupIsRefusedBeforeTheDatabaseIsTouched() throws Exception {
    Path file = Path.of(catalog.latest().path());
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10));

    RollbackReport r = plan().step(restore()).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("truncated");
    assertThat(fx.checksums(fx.name)).isEqualTo(migrated);
    assertThat(fx.databasesLikeMine()).containsExactly(fx.name);
    assertThat(catalog.list()).hasSize(1);
  }

  @Test
  void restoreThatFailsMidwayLeavesTheOriginalIntactAndEndsRestored() throws Exception {
    String sql;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of(catalog.latest().path())))) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int cut = sql.indexOf("UNLOCK TABLES;") + "UNLOCK TABLES;".length();
    assertThat(cut).isGreaterThan(20);
    String name = "pre-deployment-20990101-000000.sql.gz";
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp.resolve("backups").resolve(name)))) {
      out.write((sql.substring(0, cut) + "\nINSERT INTO table_that_is_not_there VALUES (1);\n" + sql.substring(cut))
          .getBytes(StandardCharsets.UTF_8));
    }
    catalog.adopt(name, db, BackupFormat.MARIADB_SQL_GZ);

    RollbackReport r = plan().step(restore()).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(r.failure()).contains("table_that_is_not_there");
    assertThat(fx.checksums(fx.name)).isEqualTo(migrated);
    assertThat(fx.databasesLikeMine()).containsExactly(fx.name);
    assertThat(stops.get()).isZero();
  }

  @Test
  void schemaWithAViewIsRestoredInPlaceAfterTheSafetyBackup() throws Exception {
    fx.exec(fx.name, "CREATE VIEW big_orders AS SELECT id, amount FROM orders WHERE amount > 100");
    // swap mode refuses: the view would not move with RENAME TABLE; nothing changes
    RollbackReport refused = plan().step(restore()).build().run();
    assertThat(refused.outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(refused.failure()).contains("big_orders (view)").contains("restoreInPlace");
    assertThat(fx.checksums(fx.name)).isEqualTo(migrated);

    RollbackReport r = plan().step(restore().restoreInPlace()).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(fx.checksums(fx.name)).isEqualTo(before);
    assertThat(fx.databasesLikeMine()).containsExactly(fx.name);
    Backup safety = catalog.latest(BackupCatalog.PRE_ROLLBACK);
    assertThat(catalog.verify(RollbackContext.standalone("t"), safety).database()).isEqualTo(fx.name);
  }

  @Test
  void runAfterAnEarlierSwapIsRefusedNamingItsCopyAndItsRenameTablePutsThatOriginalBack() throws Exception {
    // an undoable run keeps its copy as _pre_rb_ until it is finished: for the next run, a swap not accounted for
    RollbackReport first = plan().step(restore()).build().runUndoable().report();
    assertThat(first.outcome()).as(first.toText()).isEqualTo(Outcome.ROLLED_BACK);
    String kept = fx.databasesLikeMine().stream().filter(n -> n.contains("_pre_rb_")).findFirst().orElseThrow();
    String stamp = kept.substring(kept.length() - 14);
    String n = fx.name;
    String failed = n + "_rb_failed_" + stamp;

    RollbackReport second = plan().step(restore()).build().run();

    assertThat(second.outcome()).as(second.toText()).isEqualTo(Outcome.REFUSED);
    String sql = "CREATE DATABASE IF NOT EXISTS `" + failed + "`; RENAME TABLE `" + n + "`.`orders` TO `" + failed
        + "`.`orders`, `" + n + "`.`users` TO `" + failed + "`.`users`, `" + kept + "`.`orders` TO `" + n
        + "`.`orders`, `" + kept + "`.`users` TO `" + n + "`.`users`;";
    assertThat(second.failure()).contains("an earlier run's swap is unaccounted for: " + kept + " holds " + n
        + " as it was before the run of ").contains("To put " + kept + " back as " + n + " (keeping the current one as "
        + failed + ") run `" + sql + "` as " + fx.user + " on " + fx.host + ":" + fx.port + "; or");
    assertThat(fx.checksums(n)).as("nothing changed").isEqualTo(before);

    for (String statement : sql.split("; ")) {
      fx.exec("", statement.replaceAll(";$", ""));
    }
    assertThat(fx.checksums(n)).as("the original is back").isEqualTo(migrated);
  }
}
