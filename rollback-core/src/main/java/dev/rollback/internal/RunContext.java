package dev.rollback.internal;

import dev.rollback.RollbackContext;
import dev.rollback.RollbackListener;
import dev.rollback.TimelineEvent;
import dev.rollback.exec.Command;
import dev.rollback.exec.DryRunExecutor;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.exec.SecretMasker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The context of one run or preview: records actions per step and the timeline. */
public final class RunContext implements RollbackContext {
  private final String target;
  private final String runId;
  private final boolean dryRun;
  private final Clock clock;
  private final Instant startedAt;
  private final RollbackListener listener;
  private final List<TimelineEvent> timeline = new ArrayList<>();
  private final Map<Integer, List<String>> actions = new HashMap<>();
  private volatile int step;
  private final ScratchDir scratch;
  private final SecretMasker secretMasker;

  /**
   * @param target the plan's target
   * @param runId the run's id
   * @param dryRun true for a preview
   * @param clock the clock
   * @param listener where events go
   */
  public RunContext(String target, String runId, boolean dryRun, Clock clock, RollbackListener listener) {
    this(target, runId, dryRun, clock, listener, SecretMasker.defaults());
  }

  /**
   * @param target the plan's target
   * @param runId the run's id
   * @param dryRun true for a preview
   * @param clock the clock
   * @param listener where events go
   * @param secretMasker the plan's masker
   */
  public RunContext(String target, String runId, boolean dryRun, Clock clock, RollbackListener listener,
      SecretMasker secretMasker) {
    this.secretMasker = secretMasker;
    this.target = target;
    this.runId = runId;
    this.dryRun = dryRun;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.listener = listener;
    this.scratch = new ScratchDir("rollback-" + runId.substring(0, 8) + "-");
  }

  /** @param index the step now running, from 1; 0 outside steps */
  public void enterStep(int index) {
    this.step = index;
  }

  /**
   * Adds a timeline event.
   *
   * @param kind the kind
   * @param message one line
   */
  public synchronized void event(String kind, String message) {
    Instant now = clock.instant();
    timeline.add(new TimelineEvent(now, Duration.between(startedAt, now), step, kind, message));
  }

  /** @return the timeline so far */
  public synchronized List<TimelineEvent> timeline() {
    return List.copyOf(timeline);
  }

  /**
   * @param index a step's index
   * @return the actions that step recorded
   */
  public synchronized List<String> actionsOf(int index) {
    return List.copyOf(actions.getOrDefault(index, List.of()));
  }

  @Override
  public String target() {
    return target;
  }

  @Override
  public String runId() {
    return runId;
  }

  @Override
  public boolean dryRun() {
    return dryRun;
  }

  @Override
  public Executor executor(Executor real) {
    if (dryRun) {
      return DryRunExecutor.over(real, line -> action("would run on " + line));
    }
    return new Executor() {
      @Override
      public ExecResult run(Command command) {
        ExecResult r = masked(real.run(command), secretMasker.withCommand(command));
        if (command.mutating()) {
          action("ran on " + real.describe() + ": " + r.command() + " -> " + r.describeEnd() + " in "
              + r.duration().toMillis() + " ms");
        }
        return r;
      }

      @Override
      public String describe() {
        return real.describe();
      }
    };
  }

  @Override
  public SecretMasker secretMasker() {
    return secretMasker;
  }

  /** The executor masked with the defaults; the plan's masker may know more names and values. */
  private static ExecResult masked(ExecResult r, SecretMasker m) {
    return new ExecResult(m.mask(r.command()), r.exitCode(), r.signal(), m.mask(r.stdout()), m.mask(r.stderr()),
        r.duration(), r.timedOut(), r.truncated());
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public Instant startedAt() {
    return startedAt;
  }

  @Override
  public Path scratchDir() {
    return scratch.get();
  }

  @Override
  public void action(String description) {
    int s = step;
    synchronized (this) {
      actions.computeIfAbsent(s, k -> new ArrayList<>()).add(description);
    }
    event("action", description);
    listener.onAction(target, s, description);
  }

  @Override
  public RollbackListener listener() {
    return listener;
  }

  /** Deletes the scratch directory, if one was made. */
  public void cleanUp() {
    scratch.delete();
  }
}
