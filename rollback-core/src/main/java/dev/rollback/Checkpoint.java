package dev.rollback;

import java.util.Objects;

/**
 * What a strategy recorded about the running state before it changed anything; handed back to
 * {@link RollbackStrategy#restore(RollbackContext, Checkpoint)} to put that state back.
 *
 * <p>Strategies return their own implementations (usually records) and cast in {@code restore}.
 */
public interface Checkpoint {

  /**
   * One line for reports: what was recorded, e.g. {@code current -> releases/20240116-104500}.
   *
   * @return the description
   */
  String describe();

  /**
   * A checkpoint that records nothing but a description, for strategies whose restore needs no state.
   *
   * @param description what the report shows
   * @return the checkpoint
   */
  static Checkpoint of(String description) {
    Objects.requireNonNull(description, "description");
    return () -> description;
  }
}
