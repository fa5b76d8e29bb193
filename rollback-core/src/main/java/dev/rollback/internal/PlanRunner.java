package dev.rollback.internal;

import dev.rollback.Checkpoint;
import dev.rollback.CompletedRun;
import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.Preview;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.RollbackStrategy;
import dev.rollback.StepReport;
import dev.rollback.StepState;
import dev.rollback.VerificationRun;
import dev.rollback.journal.JournalEntry;
import dev.rollback.lock.LockHandle;
import dev.rollback.lock.LockHolder;
import dev.rollback.verify.VerificationChain;
import dev.rollback.verify.VerificationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs and previews a {@link RollbackPlan}: the semantics stated on that class live here. */
public final class PlanRunner {
  private static final Logger LOG = LoggerFactory.getLogger(PlanRunner.class);
  private final RollbackPlan plan;
  private final RollbackListener listener;
  private final String target;
  private final List<RollbackStrategy> steps;

  /** @param plan the plan */
  public PlanRunner(RollbackPlan plan) {
    this.plan = plan;
    this.listener = new SafeListener(plan.listeners());
    this.target = plan.target();
    this.steps = plan.steps();
  }

  private interface Phase<T> {
    T call();
  }

  /** Mutable per-run bookkeeping, one slot per step. */
  private final class Book {
    final StepState[] states = new StepState[steps.size()];
    final String[] checkpoints = new String[steps.size()];
    final Duration[] durations = new Duration[steps.size()];
    final String[] errors = new String[steps.size()];
    final List<VerificationRun> verifications = new ArrayList<>();
    final List<String> actionsRequired = new ArrayList<>();

    Book() {
      Arrays.fill(states, StepState.PENDING);
      Arrays.fill(durations, Duration.ZERO);
    }
  }

  private record Done(int index, Checkpoint checkpoint) {}

  /** @return the report of a real run */
  public RollbackReport run() {
    return runKeeping().report();
  }

  /** @return a real run whose steps can be restored later, when it rolled back */
  public CompletedRun runUndoable() {
    Result r = runKeeping();
    if (r.report().outcome() != Outcome.ROLLED_BACK) {
      return new CompletedRun(r.report(), null);
    }
    List<Done> done = List.copyOf(r.done());
    return new CompletedRun(r.report(), () -> undo(done, r.report().runId()));
  }

  private record Result(RollbackReport report, Deque<Done> done) {}

  private Result runKeeping() {
    return locked(this::runLocked);
  }

  /** Takes the target's lock and a fresh context for one run, and releases both whatever the body does. */
  private <T> T locked(BiFunction<RunContext, LockHolder, T> body) {
    String runId = UUID.randomUUID().toString();
    LockHandle handle = plan.lock().acquire(target, LockHolder.current(runId));
    RunContext ctx = new RunContext(target, runId, false, plan.clock(), listener, plan.secretMasker());
    try {
      return body.apply(ctx, handle.holder());
    } finally {
      release(handle);
      ctx.cleanUp();
    }
  }

  /** Releases a lock; a failure (a remote lock's host gone) is logged, never allowed to replace the report. */
  private void release(LockHandle handle) {
    try {
      handle.close();
    } catch (RuntimeException e) {
      LOG.error("{}: could not release the lock ({}): {}; break it once its holder is gone", target,
          plan.lock().describe(), e.getMessage());
    }
  }

  /** Restores, in reverse order, the steps of an earlier run that rolled back; takes the lock again. */
  private RollbackReport undo(List<Done> done, String ofRun) {
    return locked((ctx, me) -> {
      String runId = ctx.runId();
      Book book = new Book();
      for (Done d : done) {
        book.states[d.index] = StepState.ROLLED_BACK;
        book.checkpoints[d.index] = d.checkpoint == null ? "(none)" : d.checkpoint.describe();
      }
      listener.onPlanStarted(target, runId, steps.size());
      ctx.event("plan", "undo of run " + ofRun + ": restoring " + done.size() + " step(s)");
      journal(ctx, me, JournalEntry.STARTED, runId, null, "undo of run " + ofRun);
      listener.onRestoreStarted(target, "undo of run " + ofRun + " requested");
      Outcome outcome = restoreSteps(ctx, book, new ArrayDeque<>(done)) ? Outcome.RESTORED : Outcome.FAILED;
      ctx.enterStep(0);
      ctx.event("outcome", outcome.toString());
      journal(ctx, me, JournalEntry.FINISHED, runId, outcome, outcome == Outcome.RESTORED ? "ok" : "restore failed");
      RollbackReport report = report(ctx, book, outcome, outcome == Outcome.RESTORED ? null
          : "a step could not be restored", List.of());
      listener.onOutcome(report);
      return report;
    });
  }

  private Result runLocked(RunContext ctx, LockHolder me) {
    Book book = new Book();
    List<JournalEntry> interrupted = readInterrupted(ctx);
    listener.onPlanStarted(target, ctx.runId(), steps.size());
    ctx.event("plan", "started with " + steps.size() + " step(s); lock held (" + plan.lock().describe() + ")");
    for (JournalEntry e : interrupted) {
      ctx.event("plan", "an earlier rollback (run " + e.runId() + ", pid " + e.pid() + " on " + e.host()
          + ", started " + e.at() + ") never finished");
      journal(ctx, me, JournalEntry.ACKNOWLEDGED, e.runId(), null, "reported by run " + ctx.runId());
    }
    journal(ctx, me, JournalEntry.STARTED, ctx.runId(), null, steps.size() + " step(s): " + stepNames());

    String refusal = preflight(ctx, book);
    Outcome outcome;
    String failure = null;
    Deque<Done> done = new ArrayDeque<>();
    if (refusal != null) {
      outcome = Outcome.REFUSED;
      failure = refusal;
      ctx.event("plan", "refused before any change: " + refusal);
    } else {
      failure = rollForward(ctx, book, done);
      ctx.enterStep(0);
      if (failure == null) {
        VerificationResult v = verify(ctx, plan.verification(), "verify");
        book.verifications.add(new VerificationRun(VerificationRun.AFTER_ROLLBACK, v));
        if (!v.passed()) {
          failure = "verification failed: " + v.summary();
        }
      }
      if (failure == null) {
        outcome = Outcome.ROLLED_BACK;
      } else if (plan.failurePolicy() == FailurePolicy.LEAVE) {
        outcome = Outcome.FAILED;
        leaveInstructions(book, done);
      } else {
        outcome = restore(ctx, book, done, failure);
      }
    }
    ctx.enterStep(0);
    ctx.event("outcome", outcome + (failure == null ? "" : ": " + failure));
    journal(ctx, me, JournalEntry.FINISHED, ctx.runId(), outcome, (failure == null ? "ok" : failure)
        + stepSummary(ctx, book));
    RollbackReport report = report(ctx, book, outcome, failure, interrupted);
    listener.onOutcome(report);
    return new Result(report, done);
  }

  private String preflight(RunContext ctx, Book book) {
    for (int i = 0; i < steps.size(); i++) {
      RollbackStrategy s = steps.get(i);
      ctx.enterStep(i + 1);
      try {
        s.preflight(ctx);
      } catch (RuntimeException e) {
        book.errors[i] = message(e);
        return "step " + (i + 1) + " (" + s.describe() + ") refused: " + message(e);
      }
    }
    return null;
  }

  /** Checkpoint and roll back each step; returns the failure, or null. */
  private String rollForward(RunContext ctx, Book book, Deque<Done> done) {
    for (int i = 0; i < steps.size(); i++) {
      RollbackStrategy s = steps.get(i);
      int idx = i;
      ctx.enterStep(i + 1);
      Checkpoint cp;
      try {
        cp = phase(ctx, book, idx, "checkpoint", StepState.CHECKPOINTED, () -> s.checkpoint(ctx));
      } catch (RuntimeException e) {
        book.states[i] = StepState.CHECKPOINT_FAILED;
        return "step " + (i + 1) + " (" + s.describe() + ") could not take its checkpoint: " + message(e);
      }
      book.checkpoints[i] = cp == null ? "(none)" : cp.describe();
      done.push(new Done(idx, cp));
      try {
        phase(ctx, book, idx, "rollback", StepState.ROLLED_BACK, () -> {
          s.rollback(ctx);
          return null;
        });
      } catch (RuntimeException e) {
        book.states[i] = StepState.ROLLBACK_FAILED;
        return "step " + (i + 1) + " (" + s.describe() + ") failed: " + message(e);
      }
    }
    return null;
  }

  private Outcome restore(RunContext ctx, Book book, Deque<Done> done, String failure) {
    listener.onRestoreStarted(target, failure);
    ctx.enterStep(0);
    if (done.isEmpty()) {
      ctx.event("restore", "nothing had changed: no step got past its checkpoint");
      return Outcome.RESTORED;
    }
    if (!restoreSteps(ctx, book, done)) {
      return Outcome.FAILED;
    }
    VerificationChain after = plan.verificationAfterRestore();
    if (after.isEmpty()) {
      return Outcome.RESTORED;
    }
    VerificationResult v = verify(ctx, after, "verify");
    book.verifications.add(new VerificationRun(VerificationRun.AFTER_RESTORE, v));
    if (v.passed()) {
      return Outcome.RESTORED;
    }
    book.actionsRequired.add("the original state is back but does not pass verification (" + v.summary()
        + "): the target is unhealthy in both versions; investigate it now");
    return Outcome.FAILED;
  }

  /** Restores each done step, newest first; returns whether all were restored. */
  private boolean restoreSteps(RunContext ctx, Book book, Deque<Done> done) {
    ctx.enterStep(0);
    ctx.event("restore", "restoring " + done.size() + " step(s) in reverse order");
    boolean allRestored = true;
    for (Done d : done) {
      RollbackStrategy s = steps.get(d.index);
      ctx.enterStep(d.index + 1);
      try {
        phase(ctx, book, d.index, "restore", StepState.RESTORED, () -> {
          s.restore(ctx, d.checkpoint);
          return null;
        });
      } catch (RuntimeException e) {
        allRestored = false;
        book.states[d.index] = StepState.RESTORE_FAILED;
        book.actionsRequired.add("step " + (d.index + 1) + " (" + s.describe() + ") could not be restored: "
            + message(e) + ". What ran before the rollback: " + book.checkpoints[d.index]
            + ". Put it back by hand.");
      }
    }
    ctx.enterStep(0);
    return allRestored;
  }

  private void leaveInstructions(Book book, Deque<Done> done) {
    book.actionsRequired.add("failure policy LEAVE: nothing was restored; the target is as the failure left it");
    for (Done d : done) {
      book.actionsRequired.add("step " + (d.index + 1) + " (" + steps.get(d.index).describe() + ") is "
          + book.states[d.index] + "; what ran before the rollback: " + book.checkpoints[d.index]);
    }
  }

  private <T> T phase(RunContext ctx, Book book, int i, String name, StepState success, Phase<T> body) {
    String desc = steps.get(i).describe();
    listener.onStepStarted(target, i + 1, desc, name);
    ctx.event(name, "started: " + desc);
    Instant t0 = plan.clock().instant();
    try {
      T out = body.call();
      Duration d = Duration.between(t0, plan.clock().instant());
      book.durations[i] = book.durations[i].plus(d);
      book.states[i] = success;
      ctx.event(name, "done in " + d.toMillis() + " ms");
      listener.onStepFinished(target, i + 1, desc, name, success, d, null);
      return out;
    } catch (RuntimeException e) {
      Duration d = Duration.between(t0, plan.clock().instant());
      book.durations[i] = book.durations[i].plus(d);
      book.errors[i] = message(e);
      ctx.event(name, "FAILED after " + d.toMillis() + " ms: " + message(e));
      listener.onStepFinished(target, i + 1, desc, name, book.states[i], d, e);
      throw e;
    }
  }

  private VerificationResult verify(RunContext ctx, VerificationChain chain, String kind) {
    ctx.event(kind, chain.isEmpty() ? "no checks configured" : "running " + chain.describe().size() + " check(s)");
    VerificationResult v = chain.verify(ctx);
    ctx.event(kind, (v.passed() ? "passed: " : "FAILED: ") + v.summary());
    return v;
  }

  private List<JournalEntry> readInterrupted(RunContext ctx) {
    try {
      return plan.journal().interrupted(target);
    } catch (RuntimeException e) {
      LOG.error("{}: cannot read the journal ({}); going on without it", target, e.getMessage());
      ctx.event("plan", "journal unreadable: " + e.getMessage());
      return List.of();
    }
  }

  private void journal(RunContext ctx, LockHolder me, String event, String runId, Outcome outcome, String detail) {
    try {
      plan.journal().append(new JournalEntry(runId, target, event, plan.clock().instant(), me.host(), me.pid(),
          outcome, detail));
    } catch (RuntimeException e) {
      // A rollback in an emergency must not stop because the audit trail cannot be written; say so loudly.
      LOG.error("{}: cannot write the journal ({}); going on without it", target, e.getMessage());
      ctx.event("plan", "journal unwritable: " + e.getMessage());
    }
  }

  private RollbackReport report(RunContext ctx, Book book, Outcome outcome, String failure,
      List<JournalEntry> interrupted) {
    List<StepReport> reports = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      reports.add(new StepReport(i + 1, steps.get(i).describe(), book.states[i], book.checkpoints[i],
          book.durations[i], ctx.actionsOf(i + 1), book.errors[i]));
    }
    if (outcome == Outcome.FAILED && book.actionsRequired.isEmpty()) {
      book.actionsRequired.add("check the target: " + failure);
    }
    Instant end = plan.clock().instant();
    return new RollbackReport(target, ctx.runId(), outcome, plan.failurePolicy(), ctx.startedAt(),
        Duration.between(ctx.startedAt(), end), reports, book.verifications, ctx.timeline(), failure,
        book.actionsRequired, interrupted);
  }

  /** @return the preview: every step's preflight, checkpoint and rollback in a dry-run context */
  public Preview preview() {
    RunContext ctx = new RunContext(target, "preview-" + UUID.randomUUID(), true, plan.clock(),
        RollbackListener.none(), plan.secretMasker());
    try {
      List<Preview.Step> out = new ArrayList<>();
      for (int i = 0; i < steps.size(); i++) {
        RollbackStrategy s = steps.get(i);
        ctx.enterStep(i + 1);
        String problem = null;
        String cp = null;
        try {
          s.preflight(ctx);
        } catch (RuntimeException e) {
          problem = "would refuse: " + message(e);
        }
        if (problem == null) {
          try {
            Checkpoint c = s.checkpoint(ctx);
            cp = c == null ? null : c.describe();
          } catch (RuntimeException e) {
            problem = "checkpoint could not be previewed: " + message(e);
          }
        }
        if (problem == null) {
          try {
            s.rollback(ctx);
          } catch (RuntimeException e) {
            problem = "rollback could not be previewed fully: " + message(e);
          }
        }
        out.add(new Preview.Step(i + 1, s.describe(), cp, ctx.actionsOf(i + 1), problem));
      }
      return new Preview(target, out, plan.verification().describe(), plan.failurePolicy(),
          plan.lock().describe(), plan.journal().describe());
    } finally {
      ctx.cleanUp();
    }
  }

  /** For the journal: each step's final state and first action, e.g. "; [1] ROLLED_BACK: switch current from A to B". */
  private String stepSummary(RunContext ctx, Book book) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < steps.size(); i++) {
      List<String> actions = ctx.actionsOf(i + 1);
      sb.append("; [").append(i + 1).append("] ").append(book.states[i]);
      if (!actions.isEmpty()) {
        String a = actions.get(0);
        sb.append(": ").append(a.length() > 200 ? a.substring(0, 200) + "..." : a);
      }
    }
    return sb.toString();
  }

  private String stepNames() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < steps.size(); i++) {
      sb.append(i == 0 ? "" : "; ").append(steps.get(i).describe());
    }
    return sb.toString();
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
