package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.exec.SshExecutor;
import dev.rollback.exec.SshOptions;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.TestEnvironment;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole restore with the tools and the catalogue on the far side of the real OpenSSH server (127.0.0.1:2222):
 * pg_dump, pg_restore -j 2, sha256sum and mv all run over SSH; the password travels on the channel, never argv.
 */
class SshRestoreIT {
  @TempDir
  Path tmp;
  DbFixture fx;
  SshExecutor ssh;
  String remoteDir;

  @BeforeEach
  void connect() throws Exception {
    fx = DbFixture.postgres();
    TestEnvironment env = TestEnvironment.load()
        .requireServer("OpenSSH", "ssh.host", "ssh.port", "ssh.user", "ssh.key", "ssh.known_hosts");
    ssh = SshExecutor.connect(env.get("ssh.user") + "@" + env.get("ssh.host") + ":" + env.port("ssh.port"),
        SshOptions.defaults().withIdentityFile(env.path("ssh.key")).withKnownHosts(env.path("ssh.known_hosts")));
    remoteDir = "/tmp/" + fx.name + "-backups";
  }

  @AfterEach
  void close() throws Exception {
    if (ssh != null) {
      ssh.run(Command.of("rm", "-rf", "--", remoteDir));
      ssh.close();
    }
    if (fx != null) {
      fx.dropAll();
    }
  }

  @Test
  void restoresThroughSshWithThePasswordInNoArgv() throws Exception {
    fx.createWithData(3000);
    Map<String, String> before = fx.checksums(fx.name);
    PostgresDatabase db = fx.pg().via(ssh);
    BackupCatalog catalog = BackupCatalog.at(ssh, remoteDir);
    RollbackReport r;
    try (ProcScanner scan = new ProcScanner(fx.password.reveal())) {
      Backup b = catalog.create(RollbackContext.standalone("t"), db, BackupCatalog.PRE_DEPLOYMENT,
          BackupFormat.PG_CUSTOM);
      assertThat(LocalExecutor.create().run(Command.of("test", "-f", remoteDir + "/" + b.name() + ".manifest"))
          .succeeded()).as("the manifest is on the SSH host").isTrue();
      fx.destructiveMigration();
      r = RollbackPlan.builder("ssh-" + fx.name).lock(TargetLock.inDirectory(tmp.resolve("locks")))
          .journal(Journal.jsonLines(tmp.resolve("journal.jsonl")))
          .step(DbRestoreRollback.of(db).fromLatest(catalog).jobs(2)).build().run();
      scan.close();
      assertThat(scan.toolsSeen).contains("pg_dump", "pg_restore");
      assertThat(scan.leaks).isEmpty();
    }

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(fx.checksums(fx.name)).isEqualTo(before);
    assertThat(r.steps().get(0).actions()).anyMatch(a -> a.startsWith("ran on ssh ") && a.contains("pg_restore")
        && a.contains("-j 2") && a.contains("PGPASSWORD=***"));
    assertThat(r.toJson()).doesNotContain(fx.password.reveal());
    assertThat(catalog.list()).extracting(Backup::label).containsExactly("pre-rollback", "pre-deployment");
  }
}
