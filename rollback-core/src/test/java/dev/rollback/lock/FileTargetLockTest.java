package dev.rollback.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.Outcome;
import dev.rollback.RollbackInProgressException;
import dev.rollback.RollbackPlan;
import dev.rollback.journal.Journal;
import dev.rollback.testing.ChildJvm;
import dev.rollback.testing.Strategies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTargetLockTest {
  @TempDir
  Path tmp;

  @Test
  void aRunInAnotherJvmIsRefusedWhileThisOneHoldsTheLockAndNamesTheHolder() throws Exception {
    Path dir = tmp.resolve("locks");
    RollbackPlan plan = RollbackPlan.builder("api").lock(TargetLock.inDirectory(dir))
        .journal(Journal.jsonLines(tmp.resolve("j.jsonl"))).step(Strategies.noop()).build();
    try (ChildJvm child = ChildJvm.start(List.of(), LockMain.class, dir.toString(), "api")) {
      String line = child.awaitLine("LOCKED", Duration.ofSeconds(30));
      long childPid = Long.parseLong(line.split(" ")[1]);
      assertThat(childPid).isEqualTo(child.process().pid());

      assertThatThrownBy(plan::run).isInstanceOfSatisfying(RollbackInProgressException.class, e -> {
        assertThat(e.holder()).isNotNull();
        assertThat(e.holder().pid()).isEqualTo(childPid);
        assertThat(e.holder().runId()).isEqualTo("child-run");
        assertThat(e.getMessage()).contains("pid " + childPid).contains(dir.resolve("api.lock").toString());
      });
      assertThat(TargetLock.inDirectory(dir).holder("api")).get().extracting(LockHolder::pid).isEqualTo(childPid);

      child.process().getOutputStream().close();
      child.awaitLine("RELEASED", Duration.ofSeconds(30));
      assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
    }
    assertThat(TargetLock.inDirectory(dir).holder("api")).isEmpty();
    assertThat(plan.run().outcome()).isEqualTo(Outcome.ROLLED_BACK);
  }

  @Test
  void aLockHeldByAKilledJvmFreesItselfWithoutBeingBroken() throws Exception {
    Path dir = tmp.resolve("locks");
    try (ChildJvm child = ChildJvm.start(List.of(), LockMain.class, dir.toString(), "api")) {
      child.awaitLine("LOCKED", Duration.ofSeconds(30));
      assertThatThrownBy(() -> TargetLock.inDirectory(dir).acquire("api", LockHolder.current("me")))
          .isInstanceOf(RollbackInProgressException.class);
      child.process().destroyForcibly();
      child.waitFor(Duration.ofSeconds(30));
    }
    try (LockHandle h = TargetLock.inDirectory(dir).acquire("api", LockHolder.current("me"))) {
      assertThat(h.holder().runId()).isEqualTo("me");
    }
  }

  @Test
  void inOneJvmTheSecondAcquireFailsAndReleaseFreesIt() {
    TargetLock lock = TargetLock.inDirectory(tmp);
    LockHandle first = lock.acquire("db", LockHolder.current("one"));
    assertThatThrownBy(() -> TargetLock.inDirectory(tmp).acquire("db", LockHolder.current("two")))
        .isInstanceOfSatisfying(RollbackInProgressException.class,
            e -> assertThat(e.holder().runId()).isEqualTo("one"));
    first.close();
    first.close();
    try (LockHandle second = lock.acquire("db", LockHolder.current("two"))) {
      assertThat(lock.holder("db")).get().extracting(LockHolder::runId).isEqualTo("two");
    }
    assertThat(lock.breakIfStale("db")).isFalse();
  }

  @Test
  void targetNamesThatEscapeTheDirectoryAreRejected() {
    TargetLock lock = TargetLock.inDirectory(tmp);
    assertThatThrownBy(() -> lock.acquire("../x", LockHolder.current("r")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid target name");
  }

  @Test
  void aForcedBreakCannotHandTheOsLockToANewHolderSoTheOldHoldersCloseNeverReleasesAnother() {
    TargetLock lock = TargetLock.inDirectory(tmp.resolve("locks"));
    LockHandle a = lock.acquire("api", LockHolder.current("run-a"));
    lock.forceBreak("api");

    assertThatThrownBy(() -> lock.acquire("api", LockHolder.current("run-b")))
        .isInstanceOf(RollbackInProgressException.class);
    a.close();
    LockHandle b = lock.acquire("api", LockHolder.current("run-b"));
    a.close();

    assertThat(lock.holder("api")).get().extracting(LockHolder::runId).isEqualTo("run-b");
    assertThatThrownBy(() -> lock.acquire("api", LockHolder.current("run-c")))
        .isInstanceOf(RollbackInProgressException.class);
    b.close();
  }
}
