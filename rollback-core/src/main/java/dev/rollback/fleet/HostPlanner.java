package dev.rollback.fleet;

import dev.rollback.RollbackPlan;
import dev.rollback.exec.Executor;

/** Builds one host's rollback plan, usually a {@code SymlinkRollback} or an image rollback through its executor. */
@FunctionalInterface
public interface HostPlanner {

  /**
   * Builds the plan for a host.
   *
   * @param host the host's name
   * @param executor the host's executor from the fleet's {@link HostConnector}, or null when there is none
   * @return the plan; its target should name the host (the lock is per target)
   */
  RollbackPlan plan(String host, Executor executor);
}
