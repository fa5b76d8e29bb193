package dev.rollback.docker;

import dev.rollback.Checkpoint;
import dev.rollback.RestoreIncompleteException;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import dev.rollback.exec.Executor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Recreate rollback of a Compose project (seed 004's default strategy): checkpoint its compose files, its
 * {@code .env} and the image id of every service; {@code down} (never {@code -v}: volumes and their data stay);
 * write the previous configuration from a {@link ConfigSource}; {@code up -d}; wait until every container of the
 * project runs (and is healthy, where it has a health check). {@link #restore}: the saved configuration written
 * back, {@code down}, {@code up -d}, waited for the same way.
 *
 * <p>Everything runs through the given {@link Executor} (local or SSH), so a preview records the commands; Compose
 * v2 ({@code docker compose}) or v1 ({@code docker-compose}) is {@linkplain ComposeCommand#detect detected} on the
 * host at run time unless set. The project is down between {@code down} and {@code up}: this strategy has
 * downtime; {@link BlueGreenRollback} has none.
 *
 * <p>Defaults: files {@code docker-compose.yml} and {@code .env} (an {@code .env} absent from both sides is
 * skipped), Compose detected, wait deadline 60 s. Immutable.
 *
 * <pre>{@code
 * RecreateRollback.of(LocalExecutor.create(), "/srv/app", "app", ConfigSource.gitCommit("/srv/app", "3f2a1b4", ""))
 * }</pre>
 */
public final class RecreateRollback implements RollbackStrategy {
  private static final String ENV = ".env";
  private final Executor executor;
  private final String dir;
  private final String project;
  private final ConfigSource previous;
  private final List<String> files;
  private final ComposeCommand compose;
  private final Duration deadline;

  private RecreateRollback(Executor executor, String dir, String project, ConfigSource previous, List<String> files,
      ComposeCommand compose, Duration deadline) {
    this.executor = executor;
    this.dir = dir;
    this.project = project;
    this.previous = previous;
    this.files = List.copyOf(files);
    this.compose = compose;
    this.deadline = deadline;
  }

  /**
   * A recreate rollback of one project.
   *
   * @param executor where the project runs
   * @param projectDir its directory (holding the compose files and .env)
   * @param projectName the Compose project name ({@code -p})
   * @param previous where the previous configuration comes from
   * @return the strategy
   */
  public static RecreateRollback of(Executor executor, String projectDir, String projectName, ConfigSource previous) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(projectDir, "projectDir");
    Objects.requireNonNull(previous, "previous");
    if (projectName == null || !projectName.matches("[a-z0-9][a-z0-9_-]*")) {
      throw new IllegalArgumentException("not a Compose project name: '" + projectName
          + "' (lower-case letters, digits, '_' and '-')");
    }
    return new RecreateRollback(executor, projectDir, projectName, previous, List.of("docker-compose.yml"), null,
        Duration.ofSeconds(60));
  }

  /**
   * @param composeFiles the compose files, relative to the project directory, in {@code -f} order; default
   *     {@code docker-compose.yml}
   * @return a copy
   */
  public RecreateRollback files(String... composeFiles) {
    if (composeFiles.length == 0) {
      throw new IllegalArgumentException("at least one compose file");
    }
    return new RecreateRollback(executor, dir, project, previous, List.of(composeFiles), compose, deadline);
  }

  /**
   * @param command Compose v1 or v2; default detected on the host at run time
   * @return a copy
   */
  public RecreateRollback compose(ComposeCommand command) {
    return new RecreateRollback(executor, dir, project, previous, files, Objects.requireNonNull(command, "command"),
        deadline);
  }

  /**
   * @param deadline how long the containers may take to run (and be healthy) after {@code up -d}; default 60 s
   * @return a copy
   */
  public RecreateRollback deadline(Duration deadline) {
    return new RecreateRollback(executor, dir, project, previous, files, compose,
        Objects.requireNonNull(deadline, "deadline"));
  }

  @Override
  public String describe() {
    return "recreate compose project " + project + " in " + dir + " from " + previous.describe();
  }

  private List<String> allFiles() {
    List<String> all = new ArrayList<>(files);
    all.add(ENV);
    return all;
  }

  @Override
  public void preflight(RollbackContext ctx) {
    Executor ex = ctx.executor(executor);
    ComposeProject p = project(ex);
    for (String f : files) {
      if (previous.read(ex, f).isEmpty()) {
        throw new RollbackException("the previous configuration has no " + f + " (looked in " + previous.describe()
            + "); nothing was stopped: point the ConfigSource at the release to roll back to");
      }
      if (p.read(f).isEmpty()) {
        throw new RollbackException("project " + project + " has no " + f + " in " + dir + " on "
            + executor.describe() + "; check the project directory");
      }
    }
    ctx.action("compose on " + executor.describe() + ": " + p.compose());
  }

  private ComposeProject project(Executor ex) {
    return new ComposeProject(ex, compose != null ? compose : ComposeCommand.detect(ex), dir, project, files,
        Map.of());
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    ComposeProject p = project(ctx.executor(executor));
    Map<String, String> saved = new LinkedHashMap<>();
    for (String f : allFiles()) {
      saved.put(f, p.read(f).orElse(null));
    }
    return new RecreateCheckpoint(project, saved, p.images(), p.allHealthy());
  }

  @Override
  public void rollback(RollbackContext ctx) {
    Executor ex = ctx.executor(executor);
    ComposeProject p = project(ex);
    Map<String, String> next = new LinkedHashMap<>();
    for (String f : allFiles()) {
      Optional<String> content = previous.read(ex, f);
      if (content.isEmpty() && !f.equals(ENV)) {
        throw new RollbackException("the previous configuration has no " + f + " in " + previous.describe());
      }
      content.ifPresent(v -> next.put(f, v));
    }
    if (!next.containsKey(ENV)) {
      ctx.action(previous.describe() + " has no " + ENV + ": the current one stays");
    }
    recreate(ctx, p, next, true);
  }

  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    RecreateCheckpoint cp = (RecreateCheckpoint) checkpoint;
    ComposeProject p = project(ctx.executor(executor));
    Map<String, String> back = new LinkedHashMap<>();
    cp.files().forEach((f, v) -> {
      if (v != null) {
        back.put(f, v);
      }
    });
    // A project unhealthy before the rollback cannot be asked to be healthy now: then wait for it to run.
    String up = "cd " + dir + " && " + String.join(" ", p.command("up", "-d").argv());
    String stage = "down";
    try {
      p.run("down");
      stage = "write";
      back.forEach((f, v) -> p.write(ctx, f, v));
      stage = "up";
      p.run("up", "-d");
      stage = "ready";
      if (!ctx.dryRun()) {
        ctx.action("containers ready: " + p.awaitRunning(deadline, cp.healthy()));
      }
    } catch (RuntimeException e) {
      throw switch (stage) {
        case "down" -> new RestoreIncompleteException("project " + project + " in " + dir + " runs what the rollback"
            + " started, or is half down; its files are still the rolled-back ones " + back.keySet(), "restore the"
            + " files " + back.keySet() + " as they were before the rollback (from your deploy's record), then "
            + up, e);
        case "write" -> new RestoreIncompleteException("project " + project + " in " + dir + " is down, and not"
            + " every file of " + back.keySet() + " could be written back", "put the files back as they were"
            + " before the rollback (from your deploy's record), then " + up, e);
        case "up" -> new RestoreIncompleteException("project " + project + " in " + dir + " is down with its files"
            + " " + back.keySet() + " back as they were before the rollback", up, e);
        default -> new RestoreIncompleteException("project " + project + " in " + dir + " was started again with"
            + " its files from before the rollback, but its containers did not all come up", "look at " + dir
            + ": docker-compose -p " + project + " ps -a and its logs", e);
      };
    }
    Map<String, String> now = p.images();
    if (!ctx.dryRun() && !now.equals(cp.images())) {
      ctx.action("warning: images after restore " + now + " differ from before the rollback " + cp.images()
          + " (a tag moved in between?)");
    }
  }

  private void recreate(RollbackContext ctx, ComposeProject p, Map<String, String> content, boolean healthy) {
    p.run("down");
    content.forEach((f, v) -> p.write(ctx, f, v));
    p.run("up", "-d");
    if (!ctx.dryRun()) {
      ctx.action("containers ready: " + p.awaitRunning(deadline, healthy));
    }
  }
}
