package dev.rollback.release;

import dev.rollback.RollbackException;
import java.util.List;

/**
 * Releases could not be put in order (see {@link ReleaseOrder}): some have no deploy record and ids that carry
 * no order of their own, so "previous" or "oldest" would be a guess. Nothing was changed.
 */
public class UnorderedReleasesException extends RollbackException {
  private static final long serialVersionUID = 1L;
  private final List<String> unordered;

  /**
   * @param message what was asked, which ids could not be ordered and why, and what to do
   * @param unordered the ids that could not be ordered
   */
  public UnorderedReleasesException(String message, List<String> unordered) {
    super(message);
    this.unordered = List.copyOf(unordered);
  }

  /** @return the ids that could not be ordered */
  public List<String> unordered() {
    return unordered;
  }
}
