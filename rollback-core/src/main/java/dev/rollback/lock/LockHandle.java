package dev.rollback.lock;

/** A held lock; {@link #close()} releases it. Releasing twice is harmless. */
public interface LockHandle extends AutoCloseable {

  /** @return who holds it (this run) */
  LockHolder holder();

  /**
   * Releases the lock, only while this handle still holds it: a lock that was force-broken and taken by another
   * run is left in place for that run.
   *
   * @throws dev.rollback.RollbackException when the lock was no longer this handle's (broken, or held by another
   *     run, named in the message) or cannot be released
   */
  @Override
  void close();
}
