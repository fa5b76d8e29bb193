package dev.rollback.docker;

import dev.rollback.RollbackException;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How Compose is invoked on a host: v2 as the Docker CLI plugin ({@code docker compose}) or v1 as its own program
 * ({@code docker-compose}, what Debian ships). {@link #detect(Executor)} asks the host at run time. Immutable.
 */
public final class ComposeCommand {
  private final List<String> program;

  private ComposeCommand(List<String> program) {
    this.program = List.copyOf(program);
  }

  /** @return Compose v2, {@code docker compose} */
  public static ComposeCommand v2() {
    return new ComposeCommand(List.of("docker", "compose"));
  }

  /** @return Compose v1, {@code docker-compose} */
  public static ComposeCommand v1() {
    return new ComposeCommand(List.of("docker-compose"));
  }

  /**
   * Finds the Compose a host has: {@code docker compose version} first, then {@code docker-compose version}
   * (both read-only, so a preview runs them too).
   *
   * @param executor where the project runs
   * @return the command that answered
   * @throws RollbackException when neither answers, quoting both answers
   */
  public static ComposeCommand detect(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    ExecResult v2 = probe(executor, v2());
    if (v2.succeeded()) {
      return v2();
    }
    ExecResult v1 = probe(executor, v1());
    if (v1.succeeded()) {
      return v1();
    }
    throw new RollbackException("no Docker Compose on " + executor.describe() + ": 'docker compose version' "
        + v2.describeEnd() + " (" + v2.stderr().strip() + "), 'docker-compose version' " + v1.describeEnd() + " ("
        + v1.stderr().strip() + "); install the compose plugin or docker-compose");
  }

  private static ExecResult probe(Executor executor, ComposeCommand c) {
    try {
      return executor.run(Command.of(c.argv("version", "--short")).readOnly().withTimeout(Duration.ofSeconds(30)));
    } catch (RuntimeException e) {
      return new ExecResult(String.join(" ", c.program) + " version", 127, null, "", String.valueOf(e.getMessage()),
          Duration.ZERO, false, false);
    }
  }

  /**
   * @param args the Compose arguments
   * @return the full argv, e.g. {@code [docker-compose, -p, app, up, -d]}
   */
  public List<String> argv(String... args) {
    List<String> a = new ArrayList<>(program);
    a.addAll(List.of(args));
    return a;
  }

  /** @return true for v2 */
  public boolean isV2() {
    return program.size() == 2;
  }

  /** @return {@code docker compose} or {@code docker-compose} */
  @Override
  public String toString() {
    return String.join(" ", program);
  }
}
