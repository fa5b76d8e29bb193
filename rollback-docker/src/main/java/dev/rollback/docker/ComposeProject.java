package dev.rollback.docker;

import dev.rollback.RollbackContext;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One Compose project on a host, as the strategies drive it: its commands ({@code -p}, {@code -f}, working
 * directory, extra environment), its files, its containers' images and readiness. Every command goes through the
 * executor it was made with (already wrapped by the run's context).
 */
final class ComposeProject {
  private final Executor ex;
  private final ComposeCommand compose;
  private final String dir;
  private final String project;
  private final List<String> files;
  private final Map<String, String> env;

  ComposeProject(Executor ex, ComposeCommand compose, String dir, String project, List<String> files,
      Map<String, String> env) {
    this.ex = ex;
    this.compose = compose;
    this.dir = dir;
    this.project = project;
    this.files = List.copyOf(files);
    this.env = Map.copyOf(env);
  }

  String name() {
    return project;
  }

  ComposeCommand compose() {
    return compose;
  }

  Command command(String... args) {
    List<String> a = new ArrayList<>(List.of("-p", project));
    for (String f : files) {
      a.add("-f");
      a.add(f);
    }
    a.addAll(List.of(args));
    Command c = Command.of(compose.argv(a.toArray(String[]::new))).withWorkingDir(dir);
    for (Map.Entry<String, String> e : env.entrySet()) {
      c = c.withEnv(e.getKey(), e.getValue());
    }
    return c;
  }

  void run(String... args) {
    ex.run(command(args).withTimeout(Duration.ofMinutes(5))).requireSuccess();
  }

  Optional<String> read(String file) {
    ExecResult r = ex.run(Command.of("cat", "--", dir + "/" + file).readOnly());
    return r.succeeded() ? Optional.of(r.stdout()) : Optional.empty();
  }

  void write(RollbackContext ctx, String file, String content) {
    ctx.action("write " + dir + "/" + file + " (" + content.length() + " bytes)");
    // Same directory, then rename: compose never reads a half-written file.
    ex.run(Command.of("sh", "-c", "mkdir -p \"$(dirname \"$1\")\" && cat > \"$1.rollback-tmp\" && "
        + "mv -f \"$1.rollback-tmp\" \"$1\"", "sh", dir + "/" + file).withStdin(content)).requireSuccess();
  }

  /** @return service to short image id of the project's containers */
  Map<String, String> images() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : inspect("{{index .Config.Labels \"com.docker.compose.service\"}} {{.Image}}")) {
      String[] p = line.split(" ", 2);
      if (p.length == 2) {
        out.put(p[0], ReleaseImage.shortId(p[1]));
      }
    }
    return out;
  }

  /** @return true when the project has at least one container */
  boolean exists() {
    return !inspect("{{.Name}}").isEmpty();
  }

  private List<String> inspect(String format) {
    ExecResult ps = ex.run(command("ps", "-q").readOnly());
    List<String> ids = ps.stdout().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    if (!ps.succeeded() || ids.isEmpty()) {
      return List.of();
    }
    List<String> argv = new ArrayList<>(List.of("docker", "inspect", "-f", format));
    argv.addAll(ids);
    ExecResult r = ex.run(Command.of(argv).readOnly());
    return r.succeeded() ? r.stdout().lines().toList() : List.of();
  }

  /**
   * Polls until every container of the project runs and, where it has a health check, is healthy.
   *
   * @return what was seen
   * @throws ContainerNotReadyException when one exits, restarts or turns unhealthy, or at the deadline
   */
  String awaitRunning(Duration deadline) {
    return awaitRunning(deadline, true);
  }

  /** @return true when every container runs and none is unhealthy or still starting its health check */
  boolean allHealthy() {
    List<String> lines = inspect("{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}");
    return !lines.isEmpty() && lines.stream().allMatch(l -> l.equals("running healthy") || l.equals("running none"));
  }

  /** @return true when every container of the project runs */
  boolean allRunning() {
    List<String> lines = inspect("{{.State.Status}}");
    return !lines.isEmpty() && lines.stream().allMatch(l -> l.strip().equals("running"));
  }

  /**
   * Polls until every container runs and, when {@code healthy}, is healthy where it has a health check.
   *
   * @return what was seen
   * @throws ContainerNotReadyException when one exits, restarts or (when {@code healthy}) turns unhealthy, or at
   *     the deadline
   */
  String awaitRunning(Duration deadline, boolean healthy) {
    long end = System.nanoTime() + deadline.toNanos();
    String fmt = "{{index .Config.Labels \"com.docker.compose.service\"}} {{.State.Status}} {{.State.Restarting}} "
        + "{{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.RestartCount}}";
    while (true) {
      List<String> lines = inspect(fmt);
      boolean ready = !lines.isEmpty();
      for (String l : lines) {
        String[] p = l.split(" ");
        if (p.length < 6) {
          ready = false;
          continue;
        }
        if ("true".equals(p[2]) || "exited".equals(p[1]) || "dead".equals(p[1]) || !"0".equals(p[5])) {
          throw new ContainerNotReadyException("service " + p[0] + " of project " + project + " is " + p[1]
              + ("true".equals(p[2]) ? " (restarting)" : "") + " with exit code " + p[3] + " after up -d; see "
              + compose + " -p " + project + " logs " + p[0]);
        }
        if (healthy && "unhealthy".equals(p[4])) {
          throw new ContainerNotReadyException("service " + p[0] + " of project " + project + " is unhealthy");
        }
        if (!"running".equals(p[1]) || healthy && "starting".equals(p[4])) {
          ready = false;
        }
      }
      String last = lines.isEmpty() ? "no containers" : String.join(", ", lines);
      if (ready) {
        return last;
      }
      if (System.nanoTime() > end) {
        throw new ContainerNotReadyException("project " + project + " not ready within " + deadline.toSeconds()
            + " s: " + last);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ContainerNotReadyException("interrupted while waiting for project " + project);
      }
    }
  }
}
