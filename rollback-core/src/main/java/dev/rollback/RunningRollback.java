package dev.rollback;

import dev.rollback.internal.PlanRunner;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A rollback running on its own thread, started by {@link RollbackPlan#start()}: a CLI keeps it to cancel on
 * Ctrl-C, a deploy tool to wait with a timeout.
 *
 * <p>{@link #cancel()} asks the run to stop waiting (for a check, a container, a command): the step or check in
 * progress is interrupted, every step that changed something is put back from its checkpoint, and the journal's
 * end is written. The way back itself is never interrupted, by this handle or by interrupting the thread that
 * called {@link RollbackPlan#run()}. The report then says {@linkplain RollbackReport#cancelled() cancelled} and
 * gives the true outcome: {@code RESTORED} when the original is back, {@code REFUSED} when nothing had changed yet,
 * {@code ROLLED_BACK} when the cancel came after the verification had passed. Thread-safe.
 */
public final class RunningRollback {
  private final AtomicBoolean cancel = new AtomicBoolean();
  private final CompletableFuture<RollbackReport> report = new CompletableFuture<>();
  private final Thread thread;

  RunningRollback(RollbackPlan plan) {
    this.thread = new Thread(() -> {
      try {
        report.complete(new PlanRunner(plan, cancel).run());
      } catch (Throwable t) {
        report.completeExceptionally(t);
      }
    }, "rollback-" + plan.target());
    thread.setDaemon(false); // a JVM that exits mid-rollback leaves a target half-way
    thread.start();
  }

  /**
   * Asks the run to stop and put back what it changed; returns at once. Calling it again, or after the run ended,
   * does nothing.
   */
  public void cancel() {
    if (cancel.compareAndSet(false, true) && !report.isDone()) {
      thread.interrupt();
    }
  }

  /** @return true once {@link #cancel()} was called or the run's thread was interrupted */
  public boolean cancelRequested() {
    return cancel.get();
  }

  /**
   * Waits for the run to end.
   *
   * @return its report
   * @throws RollbackInProgressException when another run held the target's lock
   * @throws InterruptedException when the waiting thread is interrupted (the run goes on; cancel it to stop it)
   */
  public RollbackReport await() throws InterruptedException {
    try {
      return report.get();
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    }
  }

  /**
   * Waits for the run to end, at most {@code timeout}.
   *
   * @param timeout how long to wait
   * @return its report, or empty when it is still running
   * @throws InterruptedException when the waiting thread is interrupted
   */
  public Optional<RollbackReport> await(Duration timeout) throws InterruptedException {
    try {
      return Optional.of(report.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      return Optional.empty();
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    }
  }

  /** @return true when the run has ended */
  public boolean done() {
    return report.isDone();
  }

  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException re) {
      return re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    return new RollbackException("the run failed: " + t, t);
  }
}
