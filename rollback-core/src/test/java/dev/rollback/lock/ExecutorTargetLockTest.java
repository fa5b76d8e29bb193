package dev.rollback.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rollback.RollbackException;
import dev.rollback.RollbackInProgressException;
import dev.rollback.exec.LocalExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mkdir lock through a real executor (local here; the SSH executor's tests run it remotely). */
class ExecutorTargetLockTest {
  @TempDir
  Path tmp;

  @Test
  void mkdirLockRefusesASecondTakerAndNamesTheHolder() {
    TargetLock lock = TargetLock.remote(LocalExecutor.create(), tmp.resolve("locks").toString());
    LockHandle h = lock.acquire("api", LockHolder.current("first"));

    assertThat(Files.isDirectory(tmp.resolve("locks/api.lock"))).isTrue();
    assertThatThrownBy(() -> lock.acquire("api", LockHolder.current("second")))
        .isInstanceOfSatisfying(RollbackInProgressException.class, e -> {
          assertThat(e.holder().runId()).isEqualTo("first");
          assertThat(e.getMessage()).contains("api.lock").contains("local");
        });
    assertThat(lock.breakIfStale("api")).as("holder is this live JVM").isFalse();

    h.close();
    assertThat(tmp.resolve("locks/api.lock")).doesNotExist();
    lock.acquire("api", LockHolder.current("second")).close();
  }

  @Test
  void aLockWhoseHolderProcessIsGoneIsBrokenOnlyWhenAsked() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long deadPid = p.pid();
    Path dir = Files.createDirectories(tmp.resolve("locks/api.lock"));
    Files.writeString(dir.resolve("holder"),
        new LockHolder(LockHolder.localHost(), deadPid, Instant.now(), "crashed").toLine());
    TargetLock lock = TargetLock.remote(LocalExecutor.create(), tmp.resolve("locks").toString());

    assertThatThrownBy(() -> lock.acquire("api", LockHolder.current("me")))
        .isInstanceOf(RollbackInProgressException.class).hasMessageContaining("pid " + deadPid);
    assertThat(lock.breakIfStale("api")).isTrue();
    lock.acquire("api", LockHolder.current("me")).close();
  }

  @Test
  void aLockHeldFromAnotherHostIsNotStaleButCanBeForced() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("locks/api.lock"));
    Files.writeString(dir.resolve("holder"), new LockHolder("deploy-box-9", 1, Instant.now(), "far").toLine());
    TargetLock lock = TargetLock.remote(LocalExecutor.create(), tmp.resolve("locks").toString());

    assertThat(lock.breakIfStale("api")).isFalse();
    assertThat(lock.holder("api")).get().extracting(LockHolder::host).isEqualTo("deploy-box-9");
    lock.forceBreak("api");
    assertThat(lock.holder("api")).isEmpty();
  }

  @Test
  void closingAfterAForcedBreakLeavesTheNewHoldersLockInPlace() {
    TargetLock lock = TargetLock.remote(LocalExecutor.create(), tmp.resolve("locks").toString());
    LockHandle a = lock.acquire("api", LockHolder.current("run-a"));
    lock.forceBreak("api");
    LockHandle b = lock.acquire("api", LockHolder.current("run-b"));

    Throwable closing = catchThrowable(a::close);

    assertThat(lock.holder("api")).get().extracting(LockHolder::runId).isEqualTo("run-b");
    assertThat(closing).isInstanceOf(RollbackException.class)
        .hasMessageContaining("now held by").hasMessageContaining("run-b").hasMessageContaining("left in place");
    assertThat(tmp.resolve("locks")).isDirectoryNotContaining(p -> p.getFileName().toString().contains("releasing"));

    b.close();
    assertThat(tmp.resolve("locks/api.lock")).doesNotExist();
  }

  @Test
  void closingALockThatWasBrokenAndNotRetakenSaysSoAndRemovesNothing() throws Exception {
    TargetLock lock = TargetLock.remote(LocalExecutor.create(), tmp.resolve("locks").toString());
    LockHandle a = lock.acquire("api", LockHolder.current("run-a"));
    lock.forceBreak("api");
    Files.writeString(tmp.resolve("locks/unrelated"), "x");

    assertThatThrownBy(a::close).isInstanceOf(RollbackException.class).hasMessageContaining("no longer there");
    assertThat(tmp.resolve("locks/unrelated")).exists();
    a.close();
  }
}
