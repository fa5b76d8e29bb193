package dev.rollback.docker;

import com.github.dockerjava.api.command.ExecCreateCmd;
import com.github.dockerjava.api.command.InspectExecResponse;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecException;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.exec.SecretMasker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs commands inside a running container ({@code docker exec -i}), with standard input streamed from the
 * {@link Command}'s source and standard output and error streamed to its sinks or captured. rollback-db uses it for
 * {@code docker exec -i db pg_restore}.
 *
 * <p>The exec's streams run over a connection of its own that is half-closed at the end of stdin, so a command
 * reading to EOF ({@code cat}, {@code pg_restore}, {@code psql}) ends. Environment variables, secret ones included, travel in the exec's {@code Env} (the API request body), never
 * its argv, and secrets are masked in captured output and in {@link ExecResult#command()}. The Engine API cannot
 * kill an exec: on a command's timeout the result says {@code timedOut} and the process may still run in the
 * container. Defaults: the container's default user; no timeout unless the command sets one. Thread-safe.
 */
public final class DockerExecExecutor implements Executor {
  private final Docker docker;
  private final String container;
  private final String user;

  private DockerExecExecutor(Docker docker, String container, String user) {
    this.docker = docker;
    this.container = container;
    this.user = user;
  }

  /**
   * An executor for one container.
   *
   * @param docker the daemon
   * @param container the container's name or id
   * @return the executor
   */
  public static DockerExecExecutor of(Docker docker, String container) {
    return new DockerExecExecutor(Objects.requireNonNull(docker, "docker"),
        Objects.requireNonNull(container, "container"), null);
  }

  /**
   * @param user the user to run as, e.g. {@code postgres}; default the container's
   * @return a copy
   */
  public DockerExecExecutor asUser(String user) {
    return new DockerExecExecutor(docker, container, Objects.requireNonNull(user, "user"));
  }

  @Override
  public ExecResult run(Command command) {
    long start = System.nanoTime();
    String display = mask(command, command.display());
    List<String> env = new ArrayList<>();
    command.env().forEach((k, v) -> env.add(k + "=" + v));
    command.secretEnv().forEach((k, v) -> env.add(k + "=" + v.reveal()));
    boolean stdin = command.stdin().isPresent();
    ExecCreateCmd create = docker.client().execCreateCmd(container).withCmd(command.argv().toArray(String[]::new))
        .withAttachStdout(true).withAttachStderr(true).withAttachStdin(stdin).withEnv(env);
    command.workingDir().ifPresent(create::withWorkingDir);
    if (user != null) {
      create.withUser(user);
    }
    String execId;
    try {
      execId = docker.call("create an exec of " + display + " in container " + container,
          () -> create.exec().getId());
    } catch (DockerCallException e) {
      throw new ExecException(mask(command, e.getMessage()), e);
    }
    Sink out = new Sink(command.stdout().orElse(null), command.captureLimit());
    Sink err = new Sink(command.stderr().orElse(null), command.captureLimit());
    boolean timedOut = false;
    InputStream in = stdin ? command.stdin().get().get() : null;
    try {
      long ms = command.timeout().map(Duration::toMillis).orElse(0L);
      timedOut = !ExecStream.run(docker.host(), execId, in, (type, payload) -> (type == 2 ? err : out).write(payload),
          ms);
    } catch (IOException | RuntimeException e) {
      throw new ExecException("docker exec of " + display + " in container " + container + " failed: "
          + mask(command, String.valueOf(e.getMessage())), e);
    } finally {
      if (in != null) {
        try {
          in.close();
        } catch (IOException ignored) {
          // the exec has ended
        }
      }
    }
    int exit = -1;
    if (!timedOut) {
      exit = exitCode(execId);
    }
    return new ExecResult(display, exit, null, mask(command, out.text()), mask(command, err.text()),
        Duration.ofNanos(System.nanoTime() - start), timedOut, out.truncated || err.truncated);
  }

  /** The exit code lands in the exec's inspection a moment after its streams close: poll briefly for it. */
  private int exitCode(String execId) {
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      InspectExecResponse r = docker.call("inspect exec " + execId, () -> docker.client().inspectExecCmd(execId).exec());
      if (!Boolean.TRUE.equals(r.isRunning()) && r.getExitCodeLong() != null) {
        return r.getExitCodeLong().intValue();
      }
      if (System.nanoTime() > end) {
        return -1;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    }
  }

  private static String mask(Command c, String text) {
    return SecretMasker.defaults().withCommand(c).mask(text);
  }

  @Override
  public String describe() {
    return "docker exec in " + container + (user == null ? "" : " as " + user) + " (" + docker.host() + ")";
  }

  /** Streams to a sink, or captures up to a limit. */
  private static final class Sink {
    private final OutputStream target;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final int limit;
    private boolean truncated;

    Sink(OutputStream target, int limit) {
      this.target = target;
      this.limit = limit;
    }

    synchronized void write(byte[] b) {
      if (target != null) {
        try {
          target.write(b);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return;
      }
      int room = limit - buffer.size();
      if (b.length > room) {
        truncated = true;
      }
      buffer.write(b, 0, Math.max(0, Math.min(room, b.length)));
    }

    synchronized String text() {
      return buffer.toString(StandardCharsets.UTF_8);
    }
  }
}
