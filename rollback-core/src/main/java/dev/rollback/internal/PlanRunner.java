package dev.rollback.internal;

import dev.rollback.Checkpoint;
import dev.rollback.CompletedRun;
import dev.rollback.FailurePolicy;
import dev.rollback.Outcome;
import dev.rollback.Preview;
import dev.rollback.RestoreIncompleteException;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.RollbackStrategy;
import dev.rollback.StepReport;
import dev.rollback.StepState;
import dev.rollback.UntrustedPathException;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
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
  private final AtomicBoolean cancel;

  /** @param plan the plan */
  public PlanRunner(RollbackPlan plan) {
    this(plan, new AtomicBoolean());
  }

  /**
   * @param plan the plan
   * @param cancel set to ask the run to stop waiting and put the original back
   */
  public PlanRunner(RollbackPlan plan, AtomicBoolean cancel) {
    this.cancel = cancel;
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
    return locked((ctx, me) -> runLocked(ctx, me, true)).report();
  }

  /** @return a real run whose steps can be restored later, when it rolled back */
  public CompletedRun runUndoable() {
    Result r = locked((ctx, me) -> runLocked(ctx, me, false));
    if (r.report().outcome() != Outcome.ROLLED_BACK) {
      return new CompletedRun(r.report(), null);
    }
    List<Done> done = List.copyOf(r.done());
    return new CompletedRun(r.report(), () -> undo(done, r.report().runId()),
        () -> finishLater(done, r.report().runId()));
  }

  private record Result(RollbackReport report, Deque<Done> done) {}

  /** Takes the target's lock and a fresh context for one run, and releases both whatever the body does. */
  private <T> T locked(BiFunction<RunContext, LockHolder, T> body) {
    String runId = UUID.randomUUID().toString();
    LockHandle handle = plan.lock().acquire(target, LockHolder.current(runId));
    RunContext ctx = new RunContext(target, runId, false, plan.clock(), listener, plan.secretMasker());
    try {
      return body.apply(ctx, handle.holder());
    } finally {
      // an interrupted thread would close the lock's channel instead of releasing it: release, then re-assert
      boolean interrupted = Thread.interrupted();
      try {
        release(handle);
        ctx.cleanUp();
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** @return true when the run was asked to stop: by its handle or by interrupting its thread */
  private boolean cancelRequested() {
    if (Thread.currentThread().isInterrupted()) {
      cancel.set(true);
    }
    return cancel.get();
  }

  /**
   * Runs a body that must not be cut short (a restore, the verification after it) on its own thread, and waits
   * for it whatever happens to the calling thread: interrupting a run stops its waiting, never its way back. An
   * interrupt that arrives meanwhile marks the run cancelled and is re-asserted on the calling thread afterwards.
   */
  private <T> T uninterruptibly(String what, Supplier<T> body) {
    boolean interrupted = Thread.interrupted();
    FutureTask<T> task = new FutureTask<>(body::get);
    Thread t = new Thread(task, "rollback-" + what + "-" + target);
    t.start();
    try {
      while (true) {
        try {
          return task.get();
        } catch (InterruptedException e) {
          interrupted = true;
          cancel.set(true);
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof RuntimeException re) {
            throw re;
          }
          if (c instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException(c);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
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

  /** Finishes, under the lock again, the steps of an earlier undoable run that the caller gave up. */
  private RollbackReport finishLater(List<Done> done, String ofRun) {
    return locked((ctx, me) -> {
      Book book = new Book();
      for (Done d : done) {
        book.states[d.index] = StepState.ROLLED_BACK;
        book.checkpoints[d.index] = d.checkpoint == null ? "(none)" : d.checkpoint.describe();
      }
      ctx.event("plan", "finish of run " + ofRun + ": dropping the restore material of " + done.size() + " step(s)");
      finishSteps(ctx, book, new ArrayDeque<>(done));
      return report(ctx, book, Outcome.ROLLED_BACK, null, List.of());
    });
  }

  /**
   * Lets each rolled-back step drop its restore material, newest first. A failure is reported as something to
   * remove by hand; it never changes the outcome, and the other steps still finish.
   */
  private void finishSteps(RunContext ctx, Book book, Deque<Done> done) {
    for (Done d : done) {
      RollbackStrategy s = steps.get(d.index);
      ctx.enterStep(d.index + 1);
      try {
        phase(ctx, book, d.index, "finish", StepState.ROLLED_BACK, () -> {
          s.finish(ctx, d.checkpoint);
          return null;
        });
      } catch (RuntimeException e) {
        book.actionsRequired.add("step " + (d.index + 1) + " (" + s.describe() + ") rolled back and verified, but"
            + " could not drop what it kept to restore from: " + message(e) + ". Remove it by hand once you are"
            + " sure the rollback stays.");
      }
    }
    ctx.enterStep(0);
  }

  private Result runLocked(RunContext ctx, LockHolder me, boolean finish) {
    Book book = new Book();
    List<JournalEntry> interrupted;
    try {
      interrupted = plan.journal().interrupted(target);
    } catch (UntrustedPathException e) {
      // A journal others can forge or redirect is refused like any hostile input: before any change.
      listener.onPlanStarted(target, ctx.runId(), steps.size());
      String refusal = "the journal cannot be trusted: " + e.getMessage();
      ctx.event("plan", "refused before any change: " + refusal);
      RollbackReport report = report(ctx, book, Outcome.REFUSED, refusal, List.of());
      listener.onOutcome(report);
      return new Result(report, new ArrayDeque<>());
    } catch (RuntimeException e) {
      LOG.error("{}: cannot read the journal ({}); going on without it", target, e.getMessage());
      ctx.event("plan", "journal unreadable: " + e.getMessage());
      interrupted = List.of();
    }
    listener.onPlanStarted(target, ctx.runId(), steps.size());
    ctx.event("plan", "started with " + steps.size() + " step(s); lock held (" + plan.lock().describe() + ")");
    for (JournalEntry e : interrupted) {
      ctx.event("plan", "an earlier rollback (run " + e.runId() + ", pid " + e.pid() + " on " + e.host()
          + ", started " + e.at() + ") never finished");
      journal(ctx, me, JournalEntry.ACKNOWLEDGED, e.runId(), null, "reported by run " + ctx.runId());
    }
    journal(ctx, me, JournalEntry.STARTED, ctx.runId(), null, steps.size() + " step(s): " + stepNames());

    String refusal = preflight(ctx, book);
    boolean cancelled = false;
    if (refusal == null && cancelRequested()) {
      refusal = "cancelled before any change";
      cancelled = true;
    }
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
      if (failure != null && cancelRequested()) {
        cancelled = true;
        failure = "cancelled: " + failure;
        ctx.event("plan", "cancelled: stopped waiting; putting back what changed (not interruptible)");
      }
      if (failure == null) {
        outcome = Outcome.ROLLED_BACK;
        if (finish) {
          finishSteps(ctx, book, done);
        } else {
          ctx.event("finish", "restore material kept until the run is finished or undone");
        }
      } else if (plan.failurePolicy() == FailurePolicy.LEAVE) {
        outcome = Outcome.FAILED;
        leaveInstructions(book, done);
      } else {
        String why = failure;
        outcome = uninterruptibly("restore", () -> restore(ctx, book, done, why));
      }
    }
    cancelled = cancelled || cancel.get();
    ctx.enterStep(0);
    ctx.event("outcome", outcome + (failure == null ? "" : ": " + failure));
    journal(ctx, me, JournalEntry.FINISHED, ctx.runId(), outcome, (failure == null ? "ok" : failure)
        + stepSummary(ctx, book));
    RollbackReport report = report(ctx, book, outcome, failure, interrupted, cancelled && failure != null);
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
      if (i > 0 && cancelRequested()) {
        return "stopped before step " + (i + 1) + " (" + s.describe() + ")";
      }
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
      } catch (RestoreIncompleteException e) {
        allRestored = false;
        book.states[d.index] = StepState.RESTORE_FAILED;
        book.actionsRequired.add("step " + (d.index + 1) + " (" + s.describe() + "): " + e.situation() + ". Do: "
            + e.action() + (e.getCause() == null ? "" : " (the restore stopped on: " + message(e.getCause()) + ")"));
      } catch (RuntimeException e) {
        allRestored = false;
        book.states[d.index] = StepState.RESTORE_FAILED;
        // The strategy did not say where things stand: quote what it recorded, and ask for a look before acting.
        book.actionsRequired.add("step " + (d.index + 1) + " (" + s.describe() + ") could not be restored: "
            + message(e) + ". What ran before the rollback: " + book.checkpoints[d.index]
            + ". Look at the target's state before you act: this step did not say what it left where.");
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
    ctx.event(kind, chain.isEmpty() ? "no checks configured: the result is unverified" : "running "
        + chain.describe().size() + " check(s)");
    VerificationResult v = chain.verify(ctx);
    if (!chain.isEmpty()) {
      ctx.event(kind, (v.passed() ? "passed: " : "FAILED: ") + v.summary());
    }
    return v;
  }

  private void journal(RunContext ctx, LockHolder me, String event, String runId, Outcome outcome, String detail) {
    // An interrupted thread closes a FileChannel mid-write (ClosedByInterruptException): the journal's end must be
    // written anyway, so the flag is cleared for the write and put back after it.
    boolean interrupted = Thread.interrupted();
    if (interrupted) {
      cancel.set(true);
    }
    try {
      journalWrite(ctx, me, event, runId, outcome, detail);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void journalWrite(RunContext ctx, LockHolder me, String event, String runId, Outcome outcome,
      String detail) {
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
    return report(ctx, book, outcome, failure, interrupted, false);
  }

  private RollbackReport report(RunContext ctx, Book book, Outcome outcome, String failure,
      List<JournalEntry> interrupted, boolean cancelled) {
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
        book.actionsRequired, interrupted, cancelled);
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
