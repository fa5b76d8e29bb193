/**
 * Pluggable executors: {@link dev.rollback.exec.LocalExecutor}, {@link dev.rollback.exec.SshExecutor} and
 * {@link dev.rollback.exec.DryRunExecutor} run a {@link dev.rollback.exec.Command} (an argv list, never a shell
 * string) and return an {@link dev.rollback.exec.ExecResult}. {@link dev.rollback.exec.Secret}s reach processes
 * through their environment or stdin, never their argv.
 */
package dev.rollback.exec;
