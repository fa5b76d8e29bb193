package dev.rollback.lock;

/** A held lock; {@link #close()} releases it. Releasing twice is harmless. */
public interface LockHandle extends AutoCloseable {

  /** @return who holds it (this run) */
  LockHolder holder();

  /** Releases the lock. */
  @Override
  void close();
}
