package dev.rollback.fleet;

/** Where one host of a fleet ended. */
public enum HostOutcome {
  /** Its plan rolled back and verified. */
  ROLLED_BACK,
  /** Its plan rolled back, then was undone because its wave (or, on request, a later wave) failed. */
  UNDONE,
  /** Its plan failed and restored the host's original state. */
  RESTORED,
  /** Its plan refused before changing anything. */
  REFUSED,
  /** Its plan failed and could not restore: a person must look (see its report). */
  FAILED,
  /** It could not be reached (connection refused, host key rejected, timeout). Nothing changed on it. */
  UNREACHABLE,
  /** It ran past the fleet's per-host deadline; its state is unknown. */
  TIMED_OUT,
  /** Its wave never started because an earlier wave failed. */
  NOT_STARTED
}
