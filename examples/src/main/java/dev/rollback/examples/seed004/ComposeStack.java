package dev.rollback.examples.seed004;

import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.LocalExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A compose project in a git repository, as seed 004 keeps one: {@code docker-compose.yml} and {@code .env}
 * committed, one commit per release. The service {@code web} runs {@code rbseed/app004:release-${RELEASE}} with a
 * Docker health check, publishes 8080 on {@code 127.0.0.1:${HOST_PORT}}, and mounts the named volume {@code data}
 * at {@code /www/data} (its records are served at /data/). The volume is external ({@code <project>-data}), so a
 * green project of the same stack mounts the same data.
 */
public final class ComposeStack {
  private static final LocalExecutor LOCAL = LocalExecutor.create();
  private final String compose;
  private final String project;
  private final Path dir;
  private final List<String> commits = new ArrayList<>();

  private ComposeStack(String compose, String project, Path dir) {
    this.compose = compose;
    this.project = project;
    this.dir = dir;
  }

  /**
   * Creates the repository with release 1 committed and brings it up.
   *
   * @param compose the compose command (env.properties' {@code compose.command})
   * @param project the project name (rbseed...)
   * @param dir a fresh directory
   * @param hostPort the port on 127.0.0.1
   * @return the stack, release 1 running
   */
  public static ComposeStack create(String compose, String project, Path dir, int hostPort) {
    ComposeStack s = new ComposeStack(compose, project, dir);
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("docker-compose.yml"), "version: \"2.4\"\nservices:\n  web:\n"
          + "    image: " + Seed004App.REPOSITORY + ":release-${RELEASE}\n    init: true\n"
          + "    ports: [\"127.0.0.1:${HOST_PORT:-" + hostPort + "}:8080\"]\n"
          + "    volumes: [\"data:/www/data\"]\n"
          + "    healthcheck:\n"
          + "      test: [\"CMD\", \"/bin/busybox\", \"wget\", \"-q\", \"-O\", \"/dev/null\", "
          + "\"http://127.0.0.1:8080/health\"]\n"
          + "      interval: 1s\n      timeout: 2s\n      retries: 2\n"
          + "volumes:\n  data:\n    external: true\n    name: " + s.volume() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    s.run("docker", "volume", "create", s.volume());
    s.run("git", "init", "-q", "-b", "main");
    s.run("git", "config", "user.email", "deploy@example.com");
    s.run("git", "config", "user.name", "deploy");
    s.commitRelease("1");
    s.compose("up", "-d");
    return s;
  }

  /**
   * Commits {@code .env} with {@code RELEASE=<release>}.
   *
   * @param release the release
   * @return the commit's sha
   */
  public String commitRelease(String release) {
    try {
      Files.writeString(dir.resolve(".env"), "RELEASE=" + release + "\nAPP_MODE=production\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    run("git", "add", "-A");
    run("git", "commit", "-q", "-m", "release " + release);
    String sha = run("git", "rev-parse", "HEAD").stdoutTrimmed();
    commits.add(sha);
    return sha;
  }

  /** The bad deploy: release 2 committed and brought up. */
  public void deployRelease2() {
    commitRelease("2");
    compose("up", "-d");
  }

  /**
   * Runs a compose command in the project.
   *
   * @param args e.g. {@code up -d}
   * @return the result, successful
   */
  public ExecResult compose(String... args) {
    List<String> argv = new ArrayList<>(List.of(compose, "-p", project));
    argv.addAll(List.of(args));
    return LOCAL.run(Command.of(argv).withWorkingDir(dir).withTimeout(Duration.ofMinutes(2))).requireSuccess();
  }

  private ExecResult run(String... argv) {
    return LOCAL.run(Command.of(List.of(argv)).withWorkingDir(dir).withTimeout(Duration.ofMinutes(1)))
        .requireSuccess();
  }

  /** @return the sha of release 1's commit, the rollback's target */
  public String release1() {
    return commits.get(0);
  }

  /** @return the container of service web (compose v1's naming) */
  public String container() {
    return project + "_web_1";
  }

  /** @return the external volume holding the records, {@code <project>-data}, shared by blue and green */
  public String volume() {
    return project + "-data";
  }

  /** @return the project name */
  public String project() {
    return project;
  }

  /** @return the project directory */
  public Path dir() {
    return dir;
  }

  /** Takes the project down with its volumes; never throws. */
  public void down() {
    List<String> argv = new ArrayList<>(List.of(compose, "-p", project, "down", "-v", "--remove-orphans"));
    LOCAL.run(Command.of(argv).withWorkingDir(dir).withTimeout(Duration.ofMinutes(2)));
    LOCAL.run(Command.of("docker", "volume", "rm", "-f", volume()).withTimeout(Duration.ofSeconds(30)));
  }
}
