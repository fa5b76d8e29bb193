package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's snippets, run as written (names and paths adapted to the test servers). */
class ReadmeExamplesIT {
  @TempDir
  Path tmp;
  DbFixture fx;

  @AfterEach
  void drop() throws Exception {
    if (fx != null) {
      fx.dropAll();
    }
  }

  @Test
  void backupsThenAFullRollbackWithWritersChecksGuardAndPreview() throws Exception {
    fx = DbFixture.postgres();
    fx.createWithData(50);
    PostgresDatabase app = fx.pg();

    // ## Backups
    BackupCatalog catalog = BackupCatalog.at(tmp.resolve("backups"));
    Backup b = catalog.create(app, BackupCatalog.PRE_DEPLOYMENT);
    assertThat(catalog.list()).containsExactly(b);
    assertThat(catalog.latest()).isEqualTo(b);
    assertThat(catalog.latest("pre-deployment")).isEqualTo(b);
    assertThat(catalog.get(b.name())).isEqualTo(b);
    BackupManifest m = catalog.verify(RollbackContext.standalone("app"), b);
    assertThat(m.database()).isEqualTo(fx.name);
    assertThat(m.toolVersion()).startsWith("pg_dump (PostgreSQL)");
    fx.destructiveMigration();

    // ## MigrationRisk
    Path migrations = Files.createDirectories(tmp.resolve("migrations"));
    Files.writeString(migrations.resolve("V3__status.sql"), "ALTER TABLE users ADD COLUMN status text;");
    Files.writeString(migrations.resolve("V4__orders.sql"), "CREATE INDEX orders_user ON orders (user_id);");
    Files.writeString(migrations.resolve("V5__drop_email.sql"), "ALTER TABLE users DROP COLUMN email;");
    MigrationRisk.Report risk = MigrationRisk.in(migrations).between("3", "5");
    assertThat(risk.dangerous()).isTrue();
    assertThat(risk.summary()).startsWith("1 dangerous change(s) between 3 and 5: DANGEROUS V5__drop_email.sql");

    // ## DbRestoreRollback
    Path marker = tmp.resolve("api-running");
    Files.writeString(marker, "yes");
    RollbackPlan plan = RollbackPlan.builder("app-production")
        .lock(TargetLock.inDirectory(tmp.resolve("locks"))).journal(Journal.jsonLines(tmp.resolve("j.jsonl")))
        .step(DbRestoreRollback.of(app).fromLatest(catalog)
            .jobs(2)
            .stopWriters(Writers.commands(LocalExecutor.create(),
                Command.of("rm", "-f", marker.toString()), Command.of("touch", marker.toString())))
            .checkRestored(db -> SqlCheck.on(db, "SELECT count(*) FROM users").expectValueAtLeast(1)))
        .step(risk.guard())
        .verify(VerificationChain.of(SqlCheck.on(app, "SELECT 1 FROM users LIMIT 1"),
            SqlCheck.on(app, "SELECT id FROM users WHERE email IS NULL").expectNoRows()).retry(Retry.once()))
        .build();
    String preview = plan.preview().toString();
    assertThat(preview).contains("DATA WILL BE LOST SINCE").contains("would run on local: rm -f " + marker)
        .contains("pg_restore").contains("-j 2");
    RollbackReport report = plan.run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(fx.column(fx.name, "SELECT count(*) FROM users WHERE email IS NOT NULL")).containsExactly("50");
    assertThat(marker).exists();
    assertThat(report.steps().get(0).actions()).anyMatch(a -> a.contains("passes SQL"));
  }
}
