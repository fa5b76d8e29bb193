package dev.rollback.exec;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a finished command left: its exit code (or the signal that killed it), captured output and duration.
 *
 * @param command the command's display form (secrets masked)
 * @param exitCode the exit status; -1 when the process died by a signal or was killed on timeout
 * @param signal the signal that ended the process (e.g. {@code KILL}), when the executor can tell; else null
 * @param stdout captured standard output (UTF-8, secrets masked), empty when it was streamed elsewhere
 * @param stderr captured standard error (UTF-8, secrets masked), empty when it was streamed elsewhere
 * @param duration wall time from start to exit
 * @param timedOut true when the executor killed the command on its timeout
 * @param truncated true when captured output exceeded the command's capture limit
 */
public record ExecResult(String command, int exitCode, String signal, String stdout, String stderr,
    Duration duration, boolean timedOut, boolean truncated) {

  /** Checks the record's fields. */
  public ExecResult {
    Objects.requireNonNull(command, "command");
    stdout = stdout == null ? "" : stdout;
    stderr = stderr == null ? "" : stderr;
    Objects.requireNonNull(duration, "duration");
  }

  /** @return true when the command exited with status 0 */
  public boolean succeeded() {
    return exitCode == 0 && signal == null && !timedOut;
  }

  /** @return the signal that ended the process, if any */
  public Optional<String> exitSignal() {
    return Optional.ofNullable(signal);
  }

  /**
   * Returns this result when the command succeeded.
   *
   * @return this
   * @throws CommandFailedException naming the command, its exit status and the tail of its stderr otherwise
   */
  public ExecResult requireSuccess() {
    if (!succeeded()) {
      throw new CommandFailedException(this);
    }
    return this;
  }

  /** @return stdout without trailing whitespace, the common form for one-line answers */
  public String stdoutTrimmed() {
    return stdout.strip();
  }

  /** @return a one-line summary: how the command ended */
  public String describeEnd() {
    if (timedOut) {
      return "timed out after " + duration.toMillis() + " ms";
    }
    if (signal != null) {
      return "killed by signal " + signal;
    }
    return "exit " + exitCode;
  }
}
