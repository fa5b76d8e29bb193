package dev.rollback.release;

import dev.rollback.RollbackContext;

/**
 * What a {@link SymlinkRollback} calls after each switch of {@code current} (and again after switching back on
 * restore): restart the service so it runs the release now current. Not called in a preview.
 */
@FunctionalInterface
public interface RestartHook {

  /**
   * Restarts the service.
   *
   * @param ctx the running plan's context
   * @param release the release now current
   * @throws RuntimeException when the restart fails; the plan then restores
   */
  void restart(RollbackContext ctx, Release release);
}
