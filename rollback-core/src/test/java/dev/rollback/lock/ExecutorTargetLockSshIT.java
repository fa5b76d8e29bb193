package dev.rollback.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rollback.RollbackException;
import dev.rollback.exec.Command;
import dev.rollback.exec.SshExecutor;
import dev.rollback.testing.TestSsh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The mkdir lock over the real OpenSSH server, each holder on its own connection as separate deployers are. */
class ExecutorTargetLockSshIT {
  static SshExecutor sshA;
  static SshExecutor sshB;
  static String base;

  @BeforeAll
  static void connect() {
    sshA = TestSsh.connect();
    sshB = TestSsh.connect();
    base = TestSsh.freshDir(sshA);
  }

  @AfterAll
  static void cleanUp() {
    if (sshA != null) {
      sshA.run(Command.of("rm", "-rf", "--", base));
      sshA.close();
    }
    if (sshB != null) {
      sshB.close();
    }
  }

  @Test
  void anOldHoldersCloseAfterAForcedBreakLeavesTheNewHoldersLock() {
    TargetLock fromA = TargetLock.remote(sshA, base + "/locks");
    TargetLock fromB = TargetLock.remote(sshB, base + "/locks");
    LockHandle a = fromA.acquire("api", new LockHolder("deployer-a", 101, java.time.Instant.now(), "run-a"));
    fromB.forceBreak("api");
    LockHandle b = fromB.acquire("api", new LockHolder("deployer-b", 202, java.time.Instant.now(), "run-b"));

    Throwable closing = catchThrowable(a::close);

    assertThat(fromA.holder("api")).get().extracting(LockHolder::runId).isEqualTo("run-b");
    assertThat(sshA.run(Command.of("ls", "-A", "--", base + "/locks")).requireSuccess().stdoutTrimmed())
        .isEqualTo("api.lock");
    assertThat(closing).isInstanceOf(RollbackException.class)
        .hasMessageContaining("now held by pid 202 on host deployer-b").hasMessageContaining("left in place");
    b.close();
    assertThat(fromA.holder("api")).isEmpty();
    assertThat(sshA.run(Command.of("ls", "-A", "--", base + "/locks")).requireSuccess().stdoutTrimmed()).isEmpty();
  }
}
