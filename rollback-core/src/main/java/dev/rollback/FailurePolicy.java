package dev.rollback;

/** What a plan does when a step fails or the verification does not pass. */
public enum FailurePolicy {
  /** Restore the steps already done, in reverse order, then verify again. The default. */
  RESTORE,
  /** Leave everything as it is for forensics; the report says what each step holds. */
  LEAVE
}
