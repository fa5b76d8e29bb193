package dev.rollback.release;

import java.util.List;

/**
 * What a retention pass did.
 *
 * @param removed ids removed, oldest first
 * @param kept ids kept, oldest first
 * @param protectedIds ids kept although older than the limit, each with why (current, previous, pinned)
 */
public record RetentionResult(List<String> removed, List<String> kept, List<String> protectedIds) {
  /** Copies the lists. */
  public RetentionResult {
    removed = List.copyOf(removed);
    kept = List.copyOf(kept);
    protectedIds = List.copyOf(protectedIds);
  }
}
