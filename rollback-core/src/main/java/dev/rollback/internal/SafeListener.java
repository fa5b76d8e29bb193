package dev.rollback.internal;

import dev.rollback.RollbackListener;
import dev.rollback.RollbackReport;
import dev.rollback.StepState;
import dev.rollback.verify.CheckResult;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans events out to listeners in order; a listener that throws is logged and skipped, never fatal. */
public final class SafeListener implements RollbackListener {
  private static final Logger LOG = LoggerFactory.getLogger(SafeListener.class);
  private final List<RollbackListener> listeners;

  /** @param listeners in call order */
  public SafeListener(List<RollbackListener> listeners) {
    this.listeners = List.copyOf(listeners);
  }

  private void each(Consumer<RollbackListener> call) {
    for (RollbackListener l : listeners) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.warn("rollback listener {} threw {}; ignored", l.getClass().getName(), e.toString());
        LOG.debug("listener failure", e);
      }
    }
  }

  @Override
  public void onPlanStarted(String target, String runId, int steps) {
    each(l -> l.onPlanStarted(target, runId, steps));
  }

  @Override
  public void onStepStarted(String target, int index, String step, String phase) {
    each(l -> l.onStepStarted(target, index, step, phase));
  }

  @Override
  public void onStepFinished(String target, int index, String step, String phase, StepState state,
      Duration duration, Throwable error) {
    each(l -> l.onStepFinished(target, index, step, phase, state, duration, error));
  }

  @Override
  public void onAction(String target, int index, String action) {
    each(l -> l.onAction(target, index, action));
  }

  @Override
  public void onCheckAttempt(String target, String check, int attempt, CheckResult result) {
    each(l -> l.onCheckAttempt(target, check, attempt, result));
  }

  @Override
  public void onRestoreStarted(String target, String reason) {
    each(l -> l.onRestoreStarted(target, reason));
  }

  @Override
  public void onOutcome(RollbackReport report) {
    each(l -> l.onOutcome(report));
  }
}
