package dev.rollback.exec;

/**
 * Runs commands somewhere: on this machine ({@link LocalExecutor}), on a remote host ({@link SshExecutor}), in a
 * container ({@code DockerExecExecutor} in rollback-docker), or nowhere ({@link DryRunExecutor}).
 *
 * <p>Implementations are thread-safe unless they say otherwise. Closing releases connections; closing a
 * {@link LocalExecutor} does nothing.
 */
public interface Executor extends AutoCloseable {

  /**
   * Runs a command to its end (or its timeout) and returns how it ended. A non-zero exit is a result, not an
   * exception: call {@link ExecResult#requireSuccess()} where it must succeed.
   *
   * @param command what to run
   * @return how it ended
   * @throws ExecException when the command could not be started or its connection broke
   */
  ExecResult run(Command command);

  /**
   * One line naming where commands run, for previews, reports and errors: {@code local}, {@code ssh deploy@db1:22}.
   *
   * @return the description
   */
  String describe();

  /** Releases connections. The default does nothing. */
  @Override
  default void close() {}
}
