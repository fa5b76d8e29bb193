package dev.rollback.docker;

import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the previous configuration of a Compose project (its compose files and {@code .env}) comes from, read on
 * the project's host through its {@link Executor}: a snapshot directory saved at deploy time, or a git commit.
 */
public interface ConfigSource {

  /** @return one line: {@code snapshot /srv/app/releases/41} or {@code git commit 3f2a1b4 in /srv/app} */
  String describe();

  /**
   * Reads one file of the previous configuration. Only reads: a preview runs it too.
   *
   * @param executor the project's executor (already wrapped by the run's context)
   * @param file the file's name relative to the project directory, e.g. {@code docker-compose.yml}
   * @return its content, or empty when the source does not have it
   */
  Optional<String> read(Executor executor, String file);

  /**
   * Files saved in a directory, under the same names as in the project.
   *
   * @param dir the directory on the project's host
   * @return the source
   */
  static ConfigSource snapshotDir(String dir) {
    Objects.requireNonNull(dir, "dir");
    return new ConfigSource() {
      @Override
      public String describe() {
        return "snapshot " + dir;
      }

      @Override
      public Optional<String> read(Executor executor, String file) {
        ExecResult r = executor.run(Command.of("cat", "--", dir + "/" + file).readOnly());
        return r.succeeded() ? Optional.of(r.stdout()) : Optional.empty();
      }
    };
  }

  /**
   * Files as a git commit holds them: {@code git -C <repo> show <commit>:<subdir>/<file>}.
   *
   * @param repo the repository's directory on the project's host
   * @param commit a commit, tag or other revision
   * @param subdir the project's directory inside the repository, {@code ""} for its root
   * @return the source
   */
  static ConfigSource gitCommit(String repo, String commit, String subdir) {
    Objects.requireNonNull(repo, "repo");
    Objects.requireNonNull(commit, "commit");
    if (commit.startsWith("-") || commit.contains(":")) {
      throw new IllegalArgumentException("not a git revision: '" + commit + "'");
    }
    String prefix = subdir == null || subdir.isEmpty() ? "" : subdir.endsWith("/") ? subdir : subdir + "/";
    return new ConfigSource() {
      @Override
      public String describe() {
        return "git commit " + commit + " in " + repo + (prefix.isEmpty() ? "" : " (" + prefix + ")");
      }

      @Override
      public Optional<String> read(Executor executor, String file) {
        ExecResult r = executor.run(Command.of("git", "-C", repo, "show", commit + ":" + prefix + file).readOnly());
        return r.succeeded() ? Optional.of(r.stdout()) : Optional.empty();
      }
    };
  }
}
