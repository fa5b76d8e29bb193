package dev.rollback;

import dev.rollback.verify.VerificationResult;

/**
 * One run of a verification chain within a rollback, and when it ran.
 *
 * @param when {@link #AFTER_ROLLBACK} or {@link #AFTER_RESTORE}
 * @param result the chain's result with every attempt
 */
public record VerificationRun(String when, VerificationResult result) {
  /** The verification after the last step rolled back. */
  public static final String AFTER_ROLLBACK = "after rollback";
  /** The verification after the steps were restored. */
  public static final String AFTER_RESTORE = "after restore";

  /** @return whether the chain passed */
  public boolean passed() {
    return result.passed();
  }
}
