package dev.rollback.lock;

import dev.rollback.RollbackException;
import dev.rollback.RollbackInProgressException;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import java.util.Optional;
import java.util.UUID;

/**
 * A {@link TargetLock} as a directory made with {@code mkdir} (atomic on POSIX file systems) through an executor,
 * holding a {@code holder} file. Unlike an OS lock it survives its holder's death: such a lock is broken only by
 * {@link #breakIfStale} (when the holder was a process on this host that is gone) or {@link #forceBreak}.
 *
 * <p>A handle releases the lock only while the holder file still names it: after a forced break and a new taker,
 * the old handle's close leaves the new holder's lock in place and says so.
 */
final class ExecutorTargetLock implements TargetLock {
  /**
   * $1 the lock directory, $2 this holder's line, $3 a unique name beside it. Exit 0 released, 3 no lock, 4 held
   * by another (its holder line on stdout), 5 the renamed copy was another's and could not be put back, 6 the
   * rename failed.
   */
  private static final String RELEASE = String.join("\n",
      "h=$(cat -- \"$1/holder\" 2>/dev/null) || { [ -d \"$1\" ] || exit 3; h=; }",
      "[ \"$h\" = \"$2\" ] || { printf '%s\\n' \"$h\"; exit 4; }",
      "mv -- \"$1\" \"$3\" || exit 6",
      "h=$(cat -- \"$3/holder\" 2>/dev/null)",
      "if [ \"$h\" = \"$2\" ]; then rm -rf -- \"$3\"; exit $?; fi",
      // taken over between the two reads: hand it back unless yet another taker is there already
      "if [ ! -e \"$1\" ] && mv -- \"$3\" \"$1\"; then printf '%s\\n' \"$h\"; exit 4; fi",
      "echo \"lock taken over while releasing; its directory is left at $3\" >&2; exit 5");
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
          release(target, lockDir, holder);
        }
      }
    };
  }

  /**
   * Removes the lock directory only when its holder file names {@code holder}. One shell command compares, then
   * renames the directory to a unique name (atomic: no other taker can be inside it any more), compares again in
   * the renamed copy, and only then removes it; a lock that turns out to be another's is put back.
   */
  private void release(String target, String lockDir, LockHolder holder) {
    String aside = lockDir + ".releasing-" + UUID.randomUUID();
    ExecResult r = executor.run(Command.of("sh", "-c", RELEASE, "sh", lockDir, holder.toLine(), aside));
    switch (r.exitCode()) {
      case 0 -> { }
      case 3 -> throw new RollbackException("the lock " + where(lockDir) + " of " + target
          + " was no longer there when run " + holder.runId() + " released it: it was broken while held;"
          + " nothing removed");
      case 4 -> throw new RollbackException("the lock " + where(lockDir) + " of " + target
          + " is now held by " + describeLine(r.stdout()) + ", not by " + holder.describe()
          + " (it was broken while held and taken again): left in place for its holder");
      default -> throw new RollbackException("cannot release the lock " + where(lockDir) + " of " + target
          + " (exit " + r.exitCode() + "): " + (r.stderr().strip() + " " + r.stdout().strip()).strip()
          + "; check it and break it once its holder is gone");
    }
  }

  private static String describeLine(String line) {
    LockHolder other = LockHolder.parse(line);
    if (other != null) {
      return other.describe();
    }
    return line.isBlank() ? "a taker that has not written its holder file yet" : "'" + line.strip() + "'";
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
