package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.ReleaseNotFoundException;
import dev.rollback.RollbackContext;
import dev.rollback.exec.DryRunExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupCatalogTest {
  @TempDir
  Path dir;

  BackupCatalog catalog() {
    return BackupCatalog.at(dir);
  }

  void file(String name, String content) throws Exception {
    Files.writeString(dir.resolve(name), content);
  }

  void manifest(String name, String content, long size) throws Exception {
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes()));
    Files.writeString(dir.resolve(name + ".manifest"), new BackupManifest(sha, size, "app", DbEngine.POSTGRESQL,
        "pg_dump (PostgreSQL) 15", BackupFormat.PG_CUSTOM, Instant.parse("2024-12-03T12:00:00Z")).toText());
  }

  @Test
  void listsSeedNamesNewestFirstAndIgnoresPartialsManifestsAndStrangers() throws Exception {
    file("pre-deployment-20241203-120000.dump", "a");
    file("pre-rollback-20241203-121500.dump", "b");
    file("pre-deployment-20241204-090000.sql.gz", "c");
    file(".pre-deployment-20241205-000000.dump.partial", "half");
    file("pre-deployment-20241203-120000.dump.manifest", "x");
    file("notes.txt", "");
    file("backup-2024.dump", "");

    assertThat(catalog().list()).extracting(Backup::name).containsExactly("pre-deployment-20241204-090000.sql.gz",
        "pre-rollback-20241203-121500.dump", "pre-deployment-20241203-120000.dump");
    assertThat(catalog().latest().name()).isEqualTo("pre-deployment-20241204-090000.sql.gz");
    assertThat(catalog().latest("pre-rollback").created()).isEqualTo(Instant.parse("2024-12-03T12:15:00Z"));
    assertThat(catalog().get("pre-deployment-20241203-120000.dump").label()).isEqualTo("pre-deployment");
  }

  @Test
  void aMissingBackupIsReportedWithWhatExists() throws Exception {
    file("pre-deployment-20241203-120000.dump", "a");

    assertThatThrownBy(() -> catalog().get("pre-deployment-20240101-000000.dump"))
        .isInstanceOf(ReleaseNotFoundException.class)
        .hasMessageContaining("backup pre-deployment-20240101-000000.dump not found in " + dir)
        .hasMessageContaining("available: pre-deployment-20241203-120000.dump");
    assertThatThrownBy(() -> catalog().latest("pre-migration")).hasMessageContaining("pre-migration");
    assertThat(BackupCatalog.at(dir.resolve("none")).list()).isEmpty();
  }

  @Test
  void verifyAcceptsAnIntactBackupAndRefusesMissingManifestTruncationAndChangedBytes() throws Exception {
    RollbackContext ctx = RollbackContext.standalone("t");
    file("pre-deployment-20241203-120000.dump", "0123456789");
    Backup b = catalog().get("pre-deployment-20241203-120000.dump");
    assertThatThrownBy(() -> catalog().verify(ctx, b)).isInstanceOf(BackupVerificationException.class)
        .hasMessageContaining("has no manifest").hasMessageContaining("adopt");

    manifest(b.name(), "0123456789", 10);
    assertThat(catalog().verify(ctx, b).database()).isEqualTo("app");

    file(b.name(), "01234");
    assertThatThrownBy(() -> catalog().verify(ctx, b)).hasMessageContaining("5 bytes but its manifest says 10")
        .hasMessageContaining("truncated");

    file(b.name(), "0123456780");
    assertThatThrownBy(() -> catalog().verify(ctx, b)).hasMessageContaining("SHA-256")
        .hasMessageContaining("changed after it was written");
  }

  @Test
  void manifestRoundTripsAndAnIncompleteOneIsRefused() {
    BackupManifest m = new BackupManifest("ab", 3, "app", DbEngine.MARIADB, "mariadb-dump 10.11",
        BackupFormat.MARIADB_SQL_GZ, Instant.parse("2024-12-03T12:00:00Z"));
    assertThat(BackupManifest.parse(m.toText(), "x")).isEqualTo(m);
    assertThatThrownBy(() -> BackupManifest.parse("sha256=ab\n", "/b/x.manifest"))
        .isInstanceOf(BackupVerificationException.class).hasMessageContaining("/b/x.manifest has no 'size'");
  }

  @Test
  void aDumpIsWrittenUnderATemporaryNameAndRenamedOnlyAfterItCompleted() {
    DryRunExecutor tools = DryRunExecutor.recording();
    DryRunExecutor files = DryRunExecutor.recording();
    BackupCatalog remote = BackupCatalog.at(files, "/srv/backups");
    PostgresDatabase db = PostgresDatabase.named("app").via(tools);
    RollbackContext ctx = new PreviewContext();

    Backup b = remote.create(ctx, db, "pre-deployment", BackupFormat.PG_CUSTOM);

    assertThat(b.name()).matches("pre-deployment-\\d{8}-\\d{6}\\.dump");
    assertThat(tools.recorded()).singleElement().asString().contains("pg_dump").contains("-Fc").contains("-d app");
    assertThat(files.recorded()).anyMatch(l -> l.contains("cat > \"$1\"") && l.contains("/srv/backups/."
        + b.name() + ".partial"));
    assertThat(((PreviewContext) ctx).actions).anyMatch(a -> a.contains("would rename /srv/backups/." + b.name()
        + ".partial to /srv/backups/" + b.name()));
  }

  @Test
  void labelsAndPathsAreChecked() {
    assertThatThrownBy(() -> BackupCatalog.at(DryRunExecutor.recording(), "relative/dir"))
        .hasMessageContaining("absolute");
    assertThatThrownBy(() -> catalog().create(new PreviewContext(), PostgresDatabase.named("app"), "Pre Deploy",
        BackupFormat.PG_CUSTOM)).hasMessageContaining("not a backup label");
    assertThatThrownBy(() -> catalog().create(new PreviewContext(), PostgresDatabase.named("app"), "x",
        BackupFormat.MARIADB_SQL_GZ)).hasMessageContaining("not a POSTGRESQL format");
  }
}
