package dev.rollback;

import dev.rollback.lock.LockHolder;

/** Another rollback of the same target holds its lock; the message names the holder (host, pid, start time). */
public class RollbackInProgressException extends RollbackException {
  private static final long serialVersionUID = 1L;
  private final String target;
  private final transient LockHolder holder;

  /**
   * @param target the target that is locked
   * @param holder who holds the lock, or null when unknown
   * @param where where the lock lives, e.g. its file
   */
  public RollbackInProgressException(String target, LockHolder holder, String where) {
    super("a rollback of '" + target + "' is already in progress"
        + (holder == null ? " (holder unknown)" : " by " + holder.describe())
        + "; lock: " + where
        + ". Wait for it to finish; if its process is gone, break the lock explicitly (TargetLock.breakIfStale).");
    this.target = target;
    this.holder = holder;
  }

  /** @return the locked target */
  public String target() {
    return target;
  }

  /** @return who holds the lock, or null when unknown */
  public LockHolder holder() {
    return holder;
  }
}
