package dev.rollback.lock;

import dev.rollback.RollbackException;
import dev.rollback.RollbackInProgressException;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import java.util.Optional;

/**
 * A {@link TargetLock} as a directory made with {@code mkdir} (atomic on POSIX file systems) through an executor,
 * holding a {@code holder} file. Unlike an OS lock it survives its holder's death: such a lock is broken only by
 * {@link #breakIfStale} (when the holder was a process on this host that is gone) or {@link #forceBreak}.
 */
final class ExecutorTargetLock implements TargetLock {
  private final Executor executor;
  private final String dir;

  ExecutorTargetLock(Executor executor, String dir) {
    this.executor = executor;
    this.dir = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
  }

  @Override
  public LockHandle acquire(String target, LockHolder holder) {
    String lockDir = lockDirOf(target);
    executor.run(Command.of("mkdir", "-p", "--", dir)).requireSuccess();
    ExecResult made = executor.run(Command.of("mkdir", "--", lockDir));
    if (!made.succeeded()) {
      Optional<LockHolder> other = holder(target);
      if (other.isEmpty() && !exists(lockDir)) {
        throw new RollbackException("cannot take the lock " + where(lockDir) + ": " + made.stderr().strip());
      }
      throw new RollbackInProgressException(target, other.orElse(null), where(lockDir));
    }
    executor.run(Command.of("sh", "-c", "cat > \"$1\"", "sh", lockDir + "/holder").withStdin(holder.toLine() + "\n"))
        .requireSuccess();
    return new LockHandle() {
      private boolean released;

      @Override
      public LockHolder holder() {
        return holder;
      }

      @Override
      public synchronized void close() {
        if (!released) {
          released = true;
          executor.run(Command.of("rm", "-rf", "--", lockDir)).requireSuccess();
        }
      }
    };
  }

  @Override
  public Optional<LockHolder> holder(String target) {
    ExecResult r = executor.run(Command.of("cat", "--", lockDirOf(target) + "/holder").readOnly());
    return r.succeeded() ? Optional.ofNullable(LockHolder.parse(r.stdout())) : Optional.empty();
  }

  @Override
  public boolean breakIfStale(String target) {
    String lockDir = lockDirOf(target);
    if (!exists(lockDir)) {
      return false;
    }
    Optional<LockHolder> h = holder(target);
    if (h.isPresent() && h.get().isDeadLocalProcess()) {
      executor.run(Command.of("rm", "-rf", "--", lockDir)).requireSuccess();
      return true;
    }
    return false;
  }

  @Override
  public void forceBreak(String target) {
    executor.run(Command.of("rm", "-rf", "--", lockDirOf(target))).requireSuccess();
  }

  @Override
  public String describe() {
    return "mkdir locks in " + dir + " on " + executor.describe();
  }

  private boolean exists(String path) {
    return executor.run(Command.of("test", "-d", path).readOnly()).succeeded();
  }

  private String lockDirOf(String target) {
    return dir + "/" + LockNames.check(target) + ".lock";
  }

  private String where(String lockDir) {
    return lockDir + " on " + executor.describe();
  }
}
