package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.testing.TestEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backup into a 256 KiB tmpfs that cannot hold the dump: the error says so, and that the partial file is gone. */
class BackupOutOfSpaceIT {
  @TempDir
  Path parent;
  Path small;
  DbFixture fx;

  @BeforeEach
  void databaseLargerThanASmallTmpfs() throws Exception {
    fx = DbFixture.postgres();
    if (!"root".equals(System.getProperty("user.name"))) {
      TestEnvironment.unavailable("mounting a tmpfs needs root; this JVM runs as " + System.getProperty("user.name"));
    }
    fx.createWithData(10);
    // random text does not compress: about 1.3 MB in the dump
    fx.exec(fx.name, "CREATE TABLE noise AS SELECT g AS id, md5(random()::text) || md5(random()::text) AS v"
        + " FROM generate_series(1, 20000) g");
    small = Files.createDirectory(parent.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", small.toString());
  }

  @AfterEach
  void unmountAndDrop() throws Exception {
    try {
      if (small != null) {
        run("umount", small.toString());
      }
    } finally {
      fx.dropAll();
    }
  }

  @Test
  void backupThatRunsOutOfSpaceSaysSoAndThatThePartialFileWasRemoved() {
    BackupCatalog catalog = BackupCatalog.at(small);

    assertThatThrownBy(() -> catalog.create(RollbackContext.standalone("t"), fx.pg(), BackupCatalog.PRE_DEPLOYMENT,
        BackupFormat.PG_CUSTOM))
        .isInstanceOf(RollbackException.class)
        .hasMessageContaining("backing up " + fx.pg().describe() + " into " + catalog.describe()
            + " failed: no space left on the device holding " + small + " (")
        .hasMessageMatching("(?s).*; the partial file " + small + "/\\.pre-deployment-\\d{8}-\\d{6}\\.dump\\.partial"
            + " was removed and nothing was kept under a valid name\\. Free space there, remove old backups, or back"
            + " up into another directory.*");

    assertThat(catalog.list()).isEmpty();
    try (Stream<Path> s = Files.list(small)) {
      assertThat(s.toList()).as("no partial dump left behind").isEmpty();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void run(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
    }
  }
}
