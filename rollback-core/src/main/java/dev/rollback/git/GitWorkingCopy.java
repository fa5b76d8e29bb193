package dev.rollback.git;

import dev.rollback.RollbackException;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.exec.LocalExecutor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A git working copy reached through an executor (locally or over SSH, as seed 003 does): what is checked out,
 * whether it has uncommitted changes, and the few moves a rollback needs. Only the {@code git} command line is
 * needed on that host. Refs are resolved to commit ids before anything is checked out, and a ref can never be read
 * as an option. Immutable and thread-safe.
 */
public final class GitWorkingCopy {
  private final Executor executor;
  private final String dir;

  private GitWorkingCopy(Executor executor, String dir) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /**
   * A local working copy.
   *
   * @param dir its top directory
   * @return the working copy
   */
  public static GitWorkingCopy at(Path dir) {
    return new GitWorkingCopy(LocalExecutor.create(), dir.toAbsolutePath().normalize().toString());
  }

  /**
   * A working copy on the host an executor reaches.
   *
   * @param executor e.g. an SSH executor
   * @param dir its top directory there
   * @return the working copy
   */
  public static GitWorkingCopy at(Executor executor, String dir) {
    return new GitWorkingCopy(executor, dir);
  }

  /**
   * The same working copy through another executor (strategies pass {@code ctx.executor(...)}).
   *
   * @param other the executor
   * @return the view
   */
  public GitWorkingCopy using(Executor other) {
    return new GitWorkingCopy(other, dir);
  }

  /** @return the executor */
  public Executor executor() {
    return executor;
  }

  /** @return the top directory */
  public String dir() {
    return dir;
  }

  /** @return the commit id HEAD is at */
  public String head() {
    return git(true, "rev-parse", "--verify", "HEAD").requireSuccess().stdoutTrimmed();
  }

  /** @return the branch checked out, or empty when HEAD is detached */
  public Optional<String> branch() {
    ExecResult r = git(true, "symbolic-ref", "--short", "-q", "HEAD");
    return r.succeeded() ? Optional.of(r.stdoutTrimmed()) : Optional.empty();
  }

  /**
   * Resolves a ref (a commit id, a tag such as {@code last-good}, a branch, {@code HEAD~2}) to a commit id.
   *
   * @param ref the ref
   * @return the full commit id
   * @throws RollbackException naming the ref and listing the latest commits when it does not resolve
   */
  public String resolve(String ref) {
    checkRef(ref);
    ExecResult r = git(true, "rev-parse", "--verify", "--quiet", ref + "^{commit}");
    if (!r.succeeded()) {
      throw new RollbackException("'" + ref + "' is not a commit in " + describe() + "; latest commits:\n"
          + String.join("\n", log(10)));
    }
    return r.stdoutTrimmed();
  }

  /**
   * Files with uncommitted changes to tracked files (untracked files are not counted: they survive a checkout).
   *
   * @return their paths as git prints them, empty when clean
   */
  public List<String> uncommittedChanges() {
    ExecResult r = git(true, "status", "--porcelain", "--untracked-files=no").requireSuccess();
    List<String> out = new ArrayList<>();
    for (String l : r.stdout().split("\n")) {
      if (l.length() > 3) {
        out.add(l.substring(3));
      }
    }
    return out;
  }

  /**
   * The latest commits, one line each ({@code git log --oneline}).
   *
   * @param n how many
   * @return the lines, newest first
   */
  public List<String> log(int n) {
    ExecResult r = git(true, "log", "--oneline", "-n", Integer.toString(n), "HEAD");
    return r.succeeded() ? List.of(r.stdout().strip().split("\n")) : List.of();
  }

  /**
   * Checks out a commit with a detached HEAD.
   *
   * @param sha a full commit id (see {@link #resolve})
   */
  public void checkoutDetached(String sha) {
    checkRef(sha);
    git(false, "checkout", "--quiet", "--detach", sha).requireSuccess();
  }

  /**
   * Checks out a branch.
   *
   * @param branch the branch
   */
  public void checkoutBranch(String branch) {
    checkRef(branch);
    git(false, "checkout", "--quiet", branch).requireSuccess();
  }

  /** @return {@code git <dir> on <executor>} */
  public String describe() {
    return "git working copy " + dir + " on " + executor.describe();
  }

  private ExecResult git(boolean readOnly, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add("git");
    argv.add("-C");
    argv.add(dir);
    argv.addAll(List.of(args));
    Command c = Command.of(argv);
    return executor.run(readOnly ? c.readOnly() : c);
  }

  static String checkRef(String ref) {
    if (ref == null || ref.isEmpty() || ref.startsWith("-")) {
      throw new IllegalArgumentException("not a git ref: '" + ref + "' (empty or starting with '-')");
    }
    for (int i = 0; i < ref.length(); i++) {
      char c = ref.charAt(i);
      if (Character.isISOControl(c) || Character.isWhitespace(c)) {
        throw new IllegalArgumentException("not a git ref: contains whitespace or a control character");
      }
    }
    return ref;
  }
}
