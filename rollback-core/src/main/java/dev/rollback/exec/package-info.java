/**
 * Executors: where and how the SDK runs commands.
 *
 * <p>A {@link dev.rollback.exec.Command} is an argv (never a shell string) with environment, working directory,
 * stdin and output sinks, and an optional timeout. An {@link dev.rollback.exec.Executor} runs it and returns an
 * {@link dev.rollback.exec.ExecResult}; a non-zero exit is a result, a command that could not run at all is an
 * {@link dev.rollback.exec.ExecException}.
 *
 * <ul>
 *   <li>{@link dev.rollback.exec.LocalExecutor}: this machine, through {@link java.lang.ProcessBuilder}, no shell.</li>
 *   <li>{@link dev.rollback.exec.SshExecutor}: a remote host over one reused SSH connection, with
 *       {@link dev.rollback.exec.SshOptions}; host keys are always checked against known_hosts
 *       ({@link dev.rollback.exec.HostKeyRejectedException} otherwise), and each argument is quoted for the
 *       remote POSIX shell so it arrives as the same bytes.</li>
 *   <li>{@link dev.rollback.exec.DryRunExecutor}: records mutating commands for previews, runs read-only ones
 *       through a real executor.</li>
 * </ul>
 *
 * <p>A {@link dev.rollback.exec.Secret} reaches a process only through its environment (over SSH: on the channel's
 * stdin, never the remote command line) and is masked as {@code ***} in captured output, results and errors.
 * Executors are thread-safe.
 */
package dev.rollback.exec;
