package dev.rollback.verify;

import java.util.List;

/**
 * Every attempt of one check in a verification run.
 *
 * @param check the check's description
 * @param passed whether its last attempt passed
 * @param attempts every attempt, in order; empty when the check was not reached
 */
public record CheckReport(String check, boolean passed, List<CheckResult> attempts) {

  /** Copies the attempts. */
  public CheckReport {
    attempts = List.copyOf(attempts);
  }

  /** @return the last attempt's detail, or {@code not run} */
  public String lastDetail() {
    return attempts.isEmpty() ? "not run" : attempts.get(attempts.size() - 1).detail();
  }
}
