package dev.rollback.release;

import dev.rollback.Checkpoint;
import dev.rollback.ReleaseNotFoundException;
import dev.rollback.RestoreIncompleteException;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import dev.rollback.exec.Command;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;
import java.util.Objects;

/**
 * Rolls a {@link ReleaseDirectory} back by switching {@code current} to the previous release or to a given id,
 * atomically, then restarting the service.
 *
 * <ul>
 *   <li>preflight: the target release (a given id, or the one deployed before {@code current} in
 *       {@link ReleaseOrder}) exists ({@link ReleaseNotFoundException} lists the ids that do), differs
 *       from {@code current}, and can be trusted: its {@code release.json} and recorded files match (see
 *       {@link ReleaseDirectory#verify}); unless {@link #allowUnrecordedReleases()} was called;
 *   <li>checkpoint: the release {@code current} names;
 *   <li>rollback: switch {@code current}, then the restart command or hook;
 *   <li>restore: switch back to the checkpoint's release and restart again.
 * </ul>
 *
 * <p>Immutable: every {@code toX}/{@code restartWith} returns a copy. Defaults: to the previous release, no
 * restart, manifests required.
 */
public final class SymlinkRollback implements RollbackStrategy {
  private final ReleaseDirectory dir;
  private final String targetId;
  private final Command restartCommand;
  private final RestartHook restartHook;
  private final String hookDescription;
  private final boolean requireManifest;
  /** What each running plan's preflight read, until its rollback uses it; weak, so an aborted run leaks nothing. */
  private final Map<RollbackContext, ReleaseState> seen = Collections.synchronizedMap(new WeakHashMap<>());

  private SymlinkRollback(ReleaseDirectory dir, String targetId, Command restartCommand, RestartHook restartHook,
      String hookDescription, boolean requireManifest) {
    this.dir = dir;
    this.targetId = targetId;
    this.restartCommand = restartCommand;
    this.restartHook = restartHook;
    this.hookDescription = hookDescription;
    this.requireManifest = requireManifest;
  }

  /**
   * A rollback of a release directory to its previous release.
   *
   * @param dir the directory
   * @return the strategy
   */
  public static SymlinkRollback of(ReleaseDirectory dir) {
    return new SymlinkRollback(Objects.requireNonNull(dir, "dir"), null, null, null, null, true);
  }

  /**
   * Rolls back to the release deployed just before {@code current} (the default), in {@link ReleaseOrder}: a
   * preflight that cannot tell which one that is refuses, naming the ids it could not order.
   *
   * @return a copy
   */
  public SymlinkRollback toPrevious() {
    return new SymlinkRollback(dir, null, restartCommand, restartHook, hookDescription, requireManifest);
  }

  /**
   * Rolls back to a given release.
   *
   * @param id a valid release id
   * @return a copy
   * @throws IllegalArgumentException when the id is not valid (path traversal, leading '-', ...)
   */
  public SymlinkRollback toRelease(String id) {
    return new SymlinkRollback(dir, ReleaseId.check(id), restartCommand, restartHook, hookDescription,
        requireManifest);
  }

  /**
   * Runs a command after each switch, through the directory's executor (e.g. {@code systemctl restart api}).
   *
   * @param command the restart command; it must exit 0
   * @return a copy
   */
  public SymlinkRollback restartWith(Command command) {
    return new SymlinkRollback(dir, targetId, Objects.requireNonNull(command, "command"), restartHook,
        hookDescription, requireManifest);
  }

  /**
   * Calls a hook after each switch (e.g. to restart a process the caller owns).
   *
   * @param description how previews name it
   * @param hook the hook
   * @return a copy
   */
  public SymlinkRollback restartWith(String description, RestartHook hook) {
    return new SymlinkRollback(dir, targetId, restartCommand, Objects.requireNonNull(hook, "hook"),
        Objects.requireNonNull(description, "description"), requireManifest);
  }

  /**
   * Accepts releases without a {@code release.json} (e.g. a directory laid out by another tool). Their files
   * cannot be checked: use only where the deploy side does not record releases.
   *
   * @return a copy
   */
  public SymlinkRollback allowUnrecordedReleases() {
    return new SymlinkRollback(dir, targetId, restartCommand, restartHook, hookDescription, false);
  }

  @Override
  public String describe() {
    return "switch " + dir.root() + "/current to " + (targetId == null ? "the previous release" : "release "
        + targetId) + (restartCommand != null ? " and run " + restartCommand.display()
        : restartHook != null ? " and " + hookDescription : "");
  }

  @Override
  public void preflight(RollbackContext ctx) {
    ReleaseDirectory d = dir.using(ctx.executor(dir.executor()));
    // One command reads current, the releases, and the target's manifest and file digests (hashed on the host)
    ReleaseInspection in = d.inspect(targetId);
    ReleaseState st = in.state();
    String cur = st.currentId().orElse(null);
    Release to = resolveTarget(st, cur);
    if (to.id().equals(cur)) {
      throw new RollbackException("release " + to.id() + " is already current in " + dir.root()
          + "; nothing to roll back to");
    }
    if (requireManifest) {
      d.verify(to, in);
    }
    // The checkpoint and rollback of this run start from this read: two commands a host in all. The switch is a
    // compare-and-swap on it, so a deploy that moved current meanwhile is refused, never overwritten.
    seen.put(ctx, st);
  }

  /**
   * The release {@code current} named before the switch, and the one the switch goes to (null when unknown).
   */
  record Current(String id, String to) implements Checkpoint {
    @Override
    public String describe() {
      return id == null ? "no current release" : "current -> releases/" + id;
    }
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    ReleaseState st = stateFor(ctx);
    seen.putIfAbsent(ctx, st);
    String cur = st.currentId().orElse(null);
    String to;
    try {
      to = resolveTarget(st, cur).id();
    } catch (RuntimeException unknown) {
      to = null;
    }
    return new Current(cur, to);
  }

  @Override
  public void rollback(RollbackContext ctx) {
    ReleaseDirectory d = dir.using(ctx.executor(dir.executor()));
    ReleaseState st = stateFor(ctx);
    seen.remove(ctx);
    String cur = st.currentId().orElse(null);
    Release to = resolveTarget(st, cur);
    ctx.action("switch current from " + (cur == null ? "(none)" : cur) + " to " + to.id());
    d.activate(to.id(), cur);
    restart(ctx, d, () -> to);
  }

  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    seen.remove(ctx);
    Current c = (Current) checkpoint;
    if (c.id() == null) {
      throw new RestoreIncompleteException("there was no current release before the rollback; " + dir.root()
          + "/current now names the release it switched to", "rm " + dir.root() + "/current, if the service must"
          + " not run without one", null);
    }
    ReleaseDirectory d = dir.using(ctx.executor(dir.executor()));
    if (c.to() != null && !ctx.dryRun()) {
      // a compare-and-swap back: current must still name what this rollback switched it to
      try {
        d.activate(c.id(), c.to());
      } catch (CurrentMovedException moved) {
        String now = d.currentId().orElse(null);
        if (!c.id().equals(now)) {
          throw new RestoreIncompleteException(dir.root() + "/current names " + (now == null ? "nothing" : now)
              + ", neither the release this rollback found (" + c.id() + ") nor the one it switched to (" + c.to()
              + "): something else moved it meanwhile, and it is left as it is", "ask who deployed " + now
              + "; to go back to what ran before the rollback: ln -sfn releases/" + c.id() + " " + dir.root()
              + "/current.tmp && mv -T " + dir.root() + "/current.tmp " + dir.root() + "/current, then restart"
              + " the service", moved);
        }
        ctx.action("current still names " + c.id() + ": nothing to switch back");
        return;
      }
      ctx.action("switch current back to " + c.id());
    } else {
      ctx.action("switch current back to " + c.id());
      d.activate(c.id());
    }
    try {
      restart(ctx, d, () -> d.release(c.id()));
    } catch (RestoreIncompleteException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new RestoreIncompleteException(dir.root() + "/current is back on " + c.id() + ", but the restart"
          + " after the switch failed: the service may still run the release it rolled back to", "restart the"
          + " service by hand so that it loads " + c.id(), e);
    }
  }

  /** The state this run's preflight read, or a fresh read when the step runs without one. */
  private ReleaseState stateFor(RollbackContext ctx) {
    ReleaseState st = seen.get(ctx);
    return st != null ? st : dir.using(ctx.executor(dir.executor())).state();
  }

  private Release resolveTarget(ReleaseState st, String cur) {
    if (targetId != null) {
      return st.release(targetId);
    }
    if (cur == null) {
      throw new ReleaseNotFoundException("release", "before current", st.releasesDir() + " (no current link)",
          st.ids());
    }
    // the previous of the current already read, not of a second read that could name another release
    return st.previousOf(cur).orElseThrow(() -> new ReleaseNotFoundException("release", "before " + cur,
        st.releasesDir(), st.ids()));
  }

  private void restart(RollbackContext ctx, ReleaseDirectory d, Supplier<Release> now) {
    if (restartCommand != null) {
      d.executor().run(restartCommand).requireSuccess();
    }
    if (restartHook != null) {
      if (ctx.dryRun()) {
        ctx.action("would " + hookDescription);
      } else {
        ctx.action(hookDescription);
        restartHook.restart(ctx, now.get());
      }
    }
  }
}
