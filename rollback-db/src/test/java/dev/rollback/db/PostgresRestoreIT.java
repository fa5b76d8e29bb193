package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.Preview;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DbRestoreRollback against the real PostgreSQL: data back exactly, refusals, failures that leave the original. */
class PostgresRestoreIT {
  @TempDir
  Path tmp;
  DbFixture fx;
  PostgresDatabase db;
  BackupCatalog catalog;
  Map<String, String> before;
  Map<String, String> migrated;
  final AtomicInteger stops = new AtomicInteger();
  final AtomicInteger starts = new AtomicInteger();

  @BeforeEach
  void schemaWithDataBackupAndDestructiveMigration() throws Exception {
    fx = DbFixture.postgres();
    db = fx.pg();
    fx.createWithData(500);
    catalog = BackupCatalog.at(tmp.resolve("backups"));
    before = fx.checksums(fx.name);
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
        .stopWriters(Writers.callbacks("pause the app", stops::incrementAndGet, starts::incrementAndGet));
  }

  void backupThenMigrate(BackupFormat format) throws Exception {
    catalog.create(dev.rollback.RollbackContext.standalone("t"), db, BackupCatalog.PRE_DEPLOYMENT, format);
    fx.destructiveMigration();
    migrated = fx.checksums(fx.name);
    assertThat(migrated).isNotEqualTo(before);
  }

  @Test
  void dropsTheKeptOriginalOnlyOnceThePlanIsVerifiedWhenAsked() throws Exception {
    backupThenMigrate(BackupFormat.PG_CUSTOM);
    java.util.List<String> seenDuringVerification = new java.util.ArrayList<>();
    dev.rollback.verify.Check looks = new dev.rollback.verify.Check() {
      @Override
      public String describe() {
        return "the original is still kept";
      }

      @Override
      public dev.rollback.verify.CheckResult check(dev.rollback.RollbackContext ctx) {
        try {
          seenDuringVerification.addAll(fx.databasesLikeMine());
        } catch (java.sql.SQLException e) {
          return dev.rollback.verify.CheckResult.fail(e.getMessage());
        }
        return dev.rollback.verify.CheckResult.pass("looked");
      }
    };

    RollbackReport r = plan().step(restore().dropOriginalOnceVerified(true))
        .verify(VerificationChain.of(looks).retry(Retry.once())).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(seenDuringVerification).anyMatch(n -> n.startsWith(fx.name + "_pre_rb_"));
    assertThat(fx.databasesLikeMine()).containsExactly(fx.name);
    assertThat(fx.checksums(fx.name)).isEqualTo(before);
    assertThat(catalog.list()).extracting(Backup::label).contains("pre-rollback");
    assertThat(r.steps().get(0).actions()).anyMatch(a -> a.startsWith("drop the original database " + fx.name
        + "_pre_rb_"));
  }

  @Test
  void aSecondRollbackAfterAVerifiedOneGoesAheadAndNamesTheOriginalTheFirstOneKept() throws Exception {
    backupThenMigrate(BackupFormat.PG_CUSTOM);
    VerificationChain users = VerificationChain.of(SqlCheck.on(db, "SELECT email FROM users WHERE id = 7")
        .expectValue("u7@example.com")).retry(Retry.once());
    RollbackReport first = plan().step(restore()).verify(users).build().run();
    assertThat(first.outcome()).as(first.toText()).isEqualTo(Outcome.ROLLED_BACK);
    String kept = fx.databasesLikeMine().stream().filter(n -> n.contains("_kept_rb_")).findFirst().orElseThrow();
    assertThat(first.steps().get(0).actions()).anyMatch(a -> a.startsWith("the original database stays, whole, as "
        + kept + " (renamed from " + fx.name + "_pre_rb_"));

    RollbackReport second = plan().step(restore()).verify(users).build().run();

    assertThat(second.outcome()).as(second.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(second.steps().get(0).actions()).anyMatch(a -> a.startsWith("earlier copy " + kept + ": " + fx.name
        + " as it was before the verified rollback of "));
    fx.allowConnections(kept);
    assertThat(fx.checksums(kept)).as("the first run's original, untouched by the second").isEqualTo(migrated);
  }

  @Test
  void keepsTheOriginalWhenThePlansVerificationFailsEvenWhenAskedToDropIt() throws Exception {
    backupThenMigrate(BackupFormat.PG_CUSTOM);

    RollbackReport r = plan().step(restore().dropOriginalOnceVerified(true))
        .verify(VerificationChain.of(SqlCheck.on(db, "SELECT 1").expectValue("2")).retry(Retry.once()))
        .verifyAfterRestore(VerificationChain.of(SqlCheck.on(db, "SELECT 1").expectValue("1")).retry(Retry.once()))
        .build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(fx.checksums(fx.name)).as("the original is back").isEqualTo(migrated);
  }

  @Test
  void customDumpRestoredWithTwoJobsPutsTheDataBackExactlyAndKeepsTheOriginal() throws Exception {
    backupThenMigrate(BackupFormat.PG_CUSTOM);

    RollbackReport r = plan().step(restore().jobs(2))
        .verify(VerificationChain.of(SqlCheck.on(db, "SELECT email FROM users WHERE id = 7")
            .expectValue("u7@example.com")).retry(Retry.once())).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(fx.checksums(fx.name)).isEqualTo(before);
    String stamp = fx.databasesLikeMine().stream().filter(n -> n.contains("_kept_rb_")).findFirst().orElseThrow();
    assertThat(fx.column("postgres", "SELECT datallowconn FROM pg_database WHERE datname = '" + stamp + "'"))
        .as("nobody writes to the kept original by mistake").containsExactly("f");
    fx.allowConnections(stamp);
    assertThat(fx.checksums(stamp)).as("the original, kept whole").isEqualTo(migrated);
    assertThat(fx.databasesLikeMine()).hasSize(2);
    assertThat(catalog.list()).extracting(Backup::label).containsExactly("pre-rollback", "pre-deployment");
    assertThat(catalog.verify(dev.rollback.RollbackContext.standalone("t"), catalog.latest("pre-rollback"))
        .database()).isEqualTo(fx.name);
    assertThat(r.steps().get(0).actions()).anyMatch(a -> a.contains("pg_restore") && a.contains("-j 2"));
    assertThat(stops.get()).isEqualTo(1);
    assertThat(starts.get()).isEqualTo(1);
  }

  @Test
  void gzippedSqlRestoredThroughPsqlPutsTheDataBackExactly() throws Exception {
    backupThenMigrate(BackupFormat.PG_SQL_GZ);

    RollbackReport r = plan().step(restore()).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(fx.checksums(fx.name)).isEqualTo(before);
    assertThat(r.steps().get(0).actions()).anyMatch(a -> a.contains("psql") && a.contains("ON_ERROR_STOP=1")
        && a.contains("--single-transaction"));
  }

  @Test
  void truncatedBackupIsRefusedBeforeTheDatabaseIsTouched() throws Exception {
    backupThenMigrate(BackupFormat.PG_CUSTOM);
    Path file = Path.of(catalog.latest().path());
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));

    RollbackReport r = plan().step(restore()).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("truncated").contains(catalog.latest().name());
    assertThat(fx.checksums(fx.name)).isEqualTo(migrated);
    assertThat(fx.databasesLikeMine()).containsExactly(fx.name);
    assertThat(catalog.list()).hasSize(1);
    assertThat(stops.get()).isZero();
  }

  @Test
  void backupWhoseShaDiffersFromItsManifestIsRefused() throws Exception {
    backupThenMigrate(BackupFormat.PG_CUSTOM);
    Path file = Path.of(catalog.latest().path());
    try (var ch = Files.newByteChannel(file, StandardOpenOption.WRITE)) {
      ch.position(Files.size(file) / 2);
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x42, 0x42, 0x42}));
    }

    RollbackReport r = plan().step(restore()).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("SHA-256");
    assertThat(fx.checksums(fx.name)).isEqualTo(migrated);
    assertThat(fx.databasesLikeMine()).containsExactly(fx.name);
  }

  @Test
  void restoreThatFailsMidwayLeavesTheOriginalIntactAndEndsRestored() throws Exception {
    backupThenMigrate(BackupFormat.PG_SQL_GZ);
    // A backup that breaks halfway: the real dump with a failing statement after the first table's data.
    Backup good = catalog.latest();
    String sql;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of(good.path())))) {
      sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int cut = sql.indexOf("\\.\n") + 3;
    assertThat(cut).isGreaterThan(3);
    String broken = sql.substring(0, cut) + "\nSELECT * FROM table_that_is_not_there;\n" + sql.substring(cut);
    String name = "pre-deployment-20990101-000000.sql.gz";
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tmp.resolve("backups").resolve(name)))) {
      out.write(broken.getBytes(StandardCharsets.UTF_8));
    }
    catalog.adopt(name, db, BackupFormat.PG_SQL_GZ);

    RollbackReport r = plan().step(restore()).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(r.failure()).contains("table_that_is_not_there");
    assertThat(fx.checksums(fx.name)).isEqualTo(migrated);
    assertThat(fx.databasesLikeMine()).as("the half-restored copy is dropped").containsExactly(fx.name);
    assertThat(stops.get()).as("writers never stopped: the swap was not reached").isZero();
  }

  @Test
  void failedVerificationSwapsTheOriginalBackAndKeepsTheRestoredCopy() throws Exception {
    backupThenMigrate(BackupFormat.PG_CUSTOM);

    RollbackReport r = plan().step(restore())
        .verify(VerificationChain.of(SqlCheck.on(db, "SELECT 1 FROM users WHERE id = -1")).retry(Retry.once()))
        .verifyAfterRestore(VerificationChain.none()).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(fx.checksums(fx.name)).isEqualTo(migrated);
    String failed = fx.databasesLikeMine().stream().filter(n -> n.contains("_rb_failed_")).findFirst().orElseThrow();
    fx.allowConnections(failed);
    assertThat(fx.checksums(failed)).isEqualTo(before);
    assertThat(stops.get()).isEqualTo(2);
    assertThat(starts.get()).isEqualTo(2);
    // the original accepts connections again after being swapped back
    assertThat(fx.column(fx.name, "SELECT count(*) FROM users")).containsExactly("500");
  }

  @Test
  void previewNamesTheBackupItsAgeTheWritersAndTheCommandsAndChangesNothing() throws Exception {
    backupThenMigrate(BackupFormat.PG_CUSTOM);

    Preview p = plan().step(restore()).build().preview();

    String text = p.toString();
    assertThat(text).contains(catalog.latest().name()).contains("DATA WILL BE LOST SINCE")
        .contains("writers to stop: pause the app").contains("pg_dump").contains("pg_restore")
        .contains("ALTER DATABASE").contains("would stop writers");
    assertThat(text).doesNotContain(fx.password.reveal());
    assertThat(p.wouldProceed()).isTrue();
    assertThat(fx.checksums(fx.name)).isEqualTo(migrated);
    assertThat(fx.databasesLikeMine()).containsExactly(fx.name);
    assertThat(catalog.list()).hasSize(1);
    assertThat(stops.get()).isZero();
  }

  @Test
  void inPlaceRestorePutsTheDataBackWithTheWritersStoppedThroughout() throws Exception {
    backupThenMigrate(BackupFormat.PG_CUSTOM);
    List<String> order = new ArrayList<>();
    DbRestoreRollback inPlace = DbRestoreRollback.of(db).fromLatest(catalog).restoreInPlace()
        .stopWriters(Writers.callbacks("app", () -> order.add("stop " + catalog.list().size()),
            () -> order.add("start " + catalog.list().size())));

    RollbackReport r = plan().step(inPlace).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(fx.checksums(fx.name)).isEqualTo(before);
    assertThat(order).as("stopped before the safety backup existed").containsExactly("stop 1", "start 2");
    assertThat(fx.databasesLikeMine()).containsExactly(fx.name);
  }

  @Test
  void migrationGuardLetsARollbackAcrossADropColumnThroughWhenTheDatabaseIsRestoredFirst() throws Exception {
    backupThenMigrate(BackupFormat.PG_CUSTOM);
    Path migrations = Files.createDirectories(tmp.resolve("migrations"));
    Files.writeString(migrations.resolve("V1__init.sql"), "CREATE TABLE users (id int, email text);");
    Files.writeString(migrations.resolve("V2__drop_email.sql"), "ALTER TABLE users DROP COLUMN email;\n"
        + "DELETE FROM orders WHERE MOD(id, 2) = 0;");
    MigrationRisk.Report risk = MigrationRisk.in(migrations).between("1", "2");

    RollbackReport r = plan().step(restore()).step(risk.guard()).build().run();

    assertThat(risk.dangerousFindings()).hasSize(2);
    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(r.steps().get(1).actions()).anyMatch(a -> a.contains("a DbRestoreRollback step restores the data"));
    assertThat(fx.checksums(fx.name)).isEqualTo(before);
  }

  @Test
  void swapThatFailsAfterTheWritersStoppedStartsThemAgainAndLeavesTheOriginal() throws Exception {
    backupThenMigrate(BackupFormat.PG_CUSTOM);
    // the plan's clock fixes the names; a database already holding the name the original would move to blocks it
    java.time.Instant at = java.time.Instant.parse("2030-01-01T00:00:00Z");
    fx.exec("postgres", "CREATE DATABASE " + fx.name + "_pre_rb_20300101000000");

    RollbackReport r = plan().clock(java.time.Clock.fixed(at, java.time.ZoneOffset.UTC))
        .step(restore().acknowledgeEarlierCopies(fx.name + "_pre_rb_20300101000000")).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(r.failure()).contains("already exists");
    assertThat(stops.get()).isEqualTo(1);
    assertThat(starts.get()).as("the writers run again").isEqualTo(1);
    assertThat(fx.checksums(fx.name)).isEqualTo(migrated);
    assertThat(fx.databasesLikeMine()).containsExactly(fx.name, fx.name + "_pre_rb_20300101000000");
  }

  static String slurp(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    in.transferTo(b);
    return b.toString(StandardCharsets.UTF_8);
  }
}
