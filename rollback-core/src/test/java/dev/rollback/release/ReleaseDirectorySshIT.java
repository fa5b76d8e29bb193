package dev.rollback.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackPlan;
import dev.rollback.exec.Command;
import dev.rollback.exec.Executor;
import dev.rollback.exec.SshExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.TestSsh;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release-directory contract over the real OpenSSH server, plus a remote lock and a remote rollback. */
class ReleaseDirectorySshIT extends ReleaseDirectoryContract {
  static SshExecutor ssh;
  static String base;

  @TempDir
  Path tmp;

  @BeforeAll
  static void connect() {
    ssh = TestSsh.connect();
    base = TestSsh.freshDir(ssh);
  }

  @AfterAll
  static void cleanUp() {
    if (ssh != null) {
      ssh.run(Command.of("rm", "-rf", "--", base));
      ssh.close();
    }
  }

  @Override
  Executor executor() {
    return ssh;
  }

  @Override
  ReleaseDirectory forLayout(ReleaseDirectory d) {
    return ReleaseDirectory.at(dev.rollback.exec.LocalExecutor.create(), d.root());
  }

  @Override
  String freshRoot() {
    return base + "/app-" + java.util.UUID.randomUUID();
  }

  @Test
  void rollsBackOverSshUnderARemoteMkdirLock() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("20240115-100000").file("v", "1"));
    d.deploy(ReleaseSpec.withId("20240116-104500").file("v", "2"));
    d.activate("20240116-104500");
    RollbackPlan plan = RollbackPlan.builder("api").step(SymlinkRollback.of(d)
        .restartWith(Command.of("sh", "-c", "cat \"$1/current/v\" > \"$1/restarted\"", "sh", d.root())))
        .lock(TargetLock.remote(ssh, base + "/locks")).journal(Journal.jsonLines(tmp.resolve("j.jsonl"))).build();

    assertThat(plan.run().outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(d.currentId()).contains("20240115-100000");
    sh("grep -qx 1 \"$1/restarted\"", d.root());
    // the lock directory is gone once the run ends
    sh("test ! -e \"$1/locks/api.lock\"", base);
  }

  @Test
  void rollsBackOverSshToTheReleaseDeployedBeforeCurrentNotTheFirstInTextOrder() {
    ReleaseDirectory d = dir();
    for (int i = 1; i <= 10; i++) {
      d.deploy(ReleaseSpec.withId("" + i).file("v", "" + i));
    }
    d.activate("10");
    RollbackPlan plan = RollbackPlan.builder("api").step(SymlinkRollback.of(d).toPrevious())
        .lock(TargetLock.remote(ssh, base + "/locks")).journal(Journal.jsonLines(tmp.resolve("j.jsonl"))).build();

    assertThat(plan.run().outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(d.currentId()).contains("9");
    sh("grep -qx 9 \"$1/current/v\"", d.root());
  }
}
