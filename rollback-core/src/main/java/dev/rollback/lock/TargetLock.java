package dev.rollback.lock;

import dev.rollback.StateDirectory;

import dev.rollback.RollbackInProgressException;
import dev.rollback.exec.Executor;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Keeps one target from being rolled back twice at once, in one JVM or across processes and hosts.
 *
 * <p>Implementations: {@link #inDirectory(Path)} (an OS file lock, released by the OS if the holder dies) and
 * {@link #remote(Executor, String)} (an atomic {@code mkdir} on a host every deployer reaches). A stale lock (its
 * holder gone) is never broken silently: call {@link #breakIfStale(String)} or {@link #forceBreak(String)}.
 */
public interface TargetLock {

  /**
   * Takes the lock for a target, failing fast when another run holds it.
   *
   * @param target the target's name
   * @param holder who takes it
   * @return the held lock
   * @throws RollbackInProgressException naming the holder when it is taken
   */
  LockHandle acquire(String target, LockHolder holder);

  /**
   * Who holds the lock now, as far as can be read.
   *
   * @param target the target's name
   * @return the holder, or empty when the lock is free
   */
  Optional<LockHolder> holder(String target);

  /**
   * Breaks the lock only when its holder is provably gone (a process on this host that no longer runs).
   *
   * @param target the target's name
   * @return true when a stale lock was broken; false when the lock is free, alive, or cannot be proven stale
   */
  boolean breakIfStale(String target);

  /**
   * Breaks the lock whoever holds it. For a person who has checked that the holder is gone.
   *
   * @param target the target's name
   */
  void forceBreak(String target);

  /** @return where locks live, for previews and errors */
  String describe();

  /**
   * File locks in a local directory: {@code <dir>/<target>.lock}, held with an OS lock (so a crashed holder's
   * lock frees itself) and guarded within this JVM too.
   *
   * @param dir the directory, created when missing
   * @return the lock
   */
  static TargetLock inDirectory(Path dir) {
    return new FileTargetLock(dir);
  }

  /**
   * Locks on a host through an executor: {@code mkdir <dir>/<target>.lock} (atomic on POSIX file systems) with a
   * {@code holder} file inside. Use it when rollbacks of one target may start from several machines.
   *
   * @param executor where the lock directory lives
   * @param dir the directory holding lock directories, created when missing
   * @return the lock
   */
  static TargetLock remote(Executor executor, String dir) {
    return new ExecutorTargetLock(executor, dir);
  }

  /**
   * The default lock: {@code inDirectory(<state directory>/locks)}, in the user's {@linkplain
   * StateDirectory#defaultDir() state directory}: private, unlike the shared {@code java.io.tmpdir}.
   *
   * @return the lock
   */
  static TargetLock defaultLock() {
    return inDirectory(StateDirectory.defaultDir().resolve("locks"));
  }
}
