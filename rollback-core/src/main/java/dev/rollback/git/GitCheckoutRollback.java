package dev.rollback.git;

import dev.rollback.Checkpoint;
import dev.rollback.RestoreIncompleteException;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import dev.rollback.exec.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Seed 003's git rollback as a step: check out the last good commit (detached), then rebuild and restart.
 *
 * <ul>
 *   <li>preflight: the working copy has no uncommitted changes to tracked files (the error lists them), and the
 *       last good ref resolves to a commit other than HEAD;
 *   <li>checkpoint: the branch (or detached state) and HEAD;
 *   <li>rollback: {@code git checkout --detach <commit>}, then each command in order, in the working copy;
 *   <li>restore: the branch (or the recorded commit) checked out again, then the commands again.
 * </ul>
 *
 * <p>After the fix, {@link #returnTo(String)} checks the branch out again and reruns the commands. Immutable.
 * Defaults: last good = {@code HEAD~1}, no commands.
 */
public final class GitCheckoutRollback implements RollbackStrategy {
  private final GitWorkingCopy repo;
  private final String lastGood;
  private final List<Command> commands;

  private GitCheckoutRollback(GitWorkingCopy repo, String lastGood, List<Command> commands) {
    this.repo = repo;
    this.lastGood = lastGood;
    this.commands = List.copyOf(commands);
  }

  /**
   * A rollback of a working copy to {@code HEAD~1}.
   *
   * @param repo the working copy
   * @return the strategy
   */
  public static GitCheckoutRollback of(GitWorkingCopy repo) {
    return new GitCheckoutRollback(Objects.requireNonNull(repo, "repo"), "HEAD~1", List.of());
  }

  /**
   * Rolls back to a given ref: a commit id, a tag such as {@code last-good}, or {@code HEAD~n}.
   *
   * @param ref the last good ref
   * @return a copy
   */
  public GitCheckoutRollback to(String ref) {
    return new GitCheckoutRollback(repo, GitWorkingCopy.checkRef(ref), commands);
  }

  /**
   * Rolls back n commits: {@code HEAD~n}.
   *
   * @param n at least 1
   * @return a copy
   */
  public GitCheckoutRollback back(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be >= 1, was " + n);
    }
    return to("HEAD~" + n);
  }

  /**
   * Adds commands run in the working copy after each checkout (rebuild, restart), in order; each must exit 0.
   *
   * @param more the commands
   * @return a copy
   */
  public GitCheckoutRollback thenRun(Command... more) {
    List<Command> all = new ArrayList<>(commands);
    for (Command c : more) {
      all.add(c.workingDir().isPresent() ? c : c.withWorkingDir(repo.dir()));
    }
    return new GitCheckoutRollback(repo, lastGood, all);
  }

  @Override
  public String describe() {
    return "check out " + lastGood + " in " + repo.dir()
        + (commands.isEmpty() ? "" : " and run " + commands.size() + " command(s)");
  }

  @Override
  public void preflight(RollbackContext ctx) {
    GitWorkingCopy r = repo.using(ctx.executor(repo.executor()));
    List<String> dirty = r.uncommittedChanges();
    if (!dirty.isEmpty()) {
      throw new RollbackException(repo.describe() + " has uncommitted changes, which a checkout could lose: "
          + String.join(", ", dirty) + "; commit or stash them first");
    }
    String target = r.resolve(lastGood);
    if (target.equals(r.head())) {
      throw new RollbackException(lastGood + " is HEAD already (" + target.substring(0, 12) + ") in "
          + repo.dir() + "; nothing to roll back to");
    }
  }

  /** What was checked out before. */
  record GitState(String branch, String head) implements Checkpoint {
    @Override
    public String describe() {
      return (branch == null ? "detached HEAD" : "branch " + branch) + " at " + head;
    }
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    GitWorkingCopy r = repo.using(ctx.executor(repo.executor()));
    return new GitState(r.branch().orElse(null), r.head());
  }

  @Override
  public void rollback(RollbackContext ctx) {
    GitWorkingCopy r = repo.using(ctx.executor(repo.executor()));
    String target = r.resolve(lastGood);
    ctx.action("check out " + lastGood + " = " + target + " (detached) in " + repo.dir());
    r.checkoutDetached(target);
    runCommands(ctx);
  }

  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    GitState s = (GitState) checkpoint;
    GitWorkingCopy r = repo.using(ctx.executor(repo.executor()));
    String back = s.branch() != null ? "git -C " + repo.dir() + " checkout " + s.branch()
        : "git -C " + repo.dir() + " checkout --detach " + s.head();
    try {
      if (s.branch() != null) {
        ctx.action("check out branch " + s.branch() + " again");
        r.checkoutBranch(s.branch());
      } else {
        ctx.action("check out " + s.head() + " again");
        r.checkoutDetached(s.head());
      }
    } catch (RuntimeException e) {
      throw new RestoreIncompleteException("the working copy " + repo.describe() + " is still on the commit the"
          + " rollback checked out; before it, it was on " + (s.branch() == null ? "" : "branch " + s.branch()
          + " at ") + s.head(), back, e);
    }
    try {
      runCommands(ctx);
    } catch (RuntimeException e) {
      throw new RestoreIncompleteException("the working copy " + repo.describe() + " is back on " + (s.branch()
          == null ? s.head() : "branch " + s.branch()) + ", but a command after the checkout failed: the service"
          + " may still run the code it rolled back to", "run the restart or build commands of this step by hand",
          e);
    }
  }

  /**
   * After the fix: checks out a branch again (refusing uncommitted changes) and reruns the commands. Runs now, not
   * as a plan step.
   *
   * @param branch e.g. {@code main}
   */
  public void returnTo(String branch) {
    List<String> dirty = repo.uncommittedChanges();
    if (!dirty.isEmpty()) {
      throw new RollbackException(repo.describe() + " has uncommitted changes: " + String.join(", ", dirty));
    }
    repo.checkoutBranch(branch);
    for (Command c : commands) {
      repo.executor().run(c).requireSuccess();
    }
  }

  private void runCommands(RollbackContext ctx) {
    for (Command c : commands) {
      ctx.executor(repo.executor()).run(c).requireSuccess();
    }
  }
}
