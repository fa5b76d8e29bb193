package dev.rollback;

import dev.rollback.verify.VerificationResult;

/** A verification chain did not pass; carries the result with every attempt of every check. */
public class VerificationFailedException extends RollbackException {
  private static final long serialVersionUID = 1L;
  private final transient VerificationResult result;

  /**
   * @param result the failed result
   */
  public VerificationFailedException(VerificationResult result) {
    super("verification failed: " + result.summary());
    this.result = result;
  }

  /** @return the failed result */
  public VerificationResult result() {
    return result;
  }
}
