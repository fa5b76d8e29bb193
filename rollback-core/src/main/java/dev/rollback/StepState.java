package dev.rollback;

/** Where one step of a plan stands. */
public enum StepState {
  /** Not reached. */
  PENDING,
  /** Its checkpoint was taken; its rollback had not finished. */
  CHECKPOINTED,
  /** The checkpoint failed: nothing of this step changed. */
  CHECKPOINT_FAILED,
  /** Its rollback completed. */
  ROLLED_BACK,
  /** Its rollback threw partway: state unknown until restored. */
  ROLLBACK_FAILED,
  /** Restored to its checkpoint. */
  RESTORED,
  /** Its restore threw: a person must look. */
  RESTORE_FAILED
}
