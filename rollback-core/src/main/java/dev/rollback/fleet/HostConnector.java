package dev.rollback.fleet;

import dev.rollback.exec.Executor;

/** Opens the executor a fleet runs a host's plan through, e.g. {@code SshExecutor.connect(...)}. */
@FunctionalInterface
public interface HostConnector {

  /**
   * Connects to a host.
   *
   * @param host the host's name as given to the fleet
   * @return an executor for it; the fleet closes it at the end
   * @throws RuntimeException when the host cannot be reached; that host fails, the fleet goes on
   */
  Executor connect(String host);
}
