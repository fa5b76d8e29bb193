package dev.rollback;

/** How a rollback ended. */
public enum Outcome {
  /** Every step rolled back and the verification passed. */
  ROLLED_BACK,
  /** The rollback failed and the original state is back (restored and, where there is a chain, verified). */
  RESTORED,
  /** Neither: the report says which step holds which state and what a person must do. */
  FAILED,
  /** Nothing changed: a preflight check refused the rollback before the first change. */
  REFUSED
}
