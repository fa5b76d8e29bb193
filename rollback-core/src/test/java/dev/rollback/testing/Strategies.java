package dev.rollback.testing;

import dev.rollback.Checkpoint;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackStrategy;

/** Small strategies for tests of what surrounds a step (locks, journals, watchdogs, fleets). */
public final class Strategies {
  private Strategies() {}

  /** @return a step that records a checkpoint and changes nothing */
  public static RollbackStrategy noop() {
    return of("nothing", () -> { });
  }

  /**
   * A step whose rollback runs an action and whose restore does nothing.
   *
   * @param description how reports name it
   * @param rollback what the rollback does
   * @return the step
   */
  public static RollbackStrategy of(String description, Runnable rollback) {
    return new RollbackStrategy() {
      @Override
      public String describe() {
        return description;
      }

      @Override
      public Checkpoint checkpoint(RollbackContext ctx) {
        return Checkpoint.of(description);
      }

      @Override
      public void rollback(RollbackContext ctx) {
        rollback.run();
      }

      @Override
      public void restore(RollbackContext ctx, Checkpoint checkpoint) {}
    };
  }
}
