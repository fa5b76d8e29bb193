package dev.rollback;

import dev.rollback.verify.CheckResult;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a plan's events through SLF4J under the logger {@code dev.rollback.plan}: steps and outcome at INFO,
 * failed check attempts and restores at WARN, passed attempts and actions at DEBUG. Every plan has one unless
 * built with {@code logging(false)}.
 */
public final class LoggingListener implements RollbackListener {
  private static final Logger LOG = LoggerFactory.getLogger("dev.rollback.plan");

  @Override
  public void onPlanStarted(String target, String runId, int steps) {
    LOG.info("{}: rollback started (run {}, {} step(s))", target, runId, steps);
  }

  @Override
  public void onStepStarted(String target, int index, String step, String phase) {
    LOG.info("{}: [{}] {} {}", target, index, phase, step);
  }

  @Override
  public void onStepFinished(String target, int index, String step, String phase, StepState state,
      Duration duration, Throwable error) {
    if (error == null) {
      LOG.info("{}: [{}] {} done in {} ms: {}", target, index, phase, duration.toMillis(), state);
    } else {
      LOG.warn("{}: [{}] {} failed after {} ms: {}", target, index, phase, duration.toMillis(), error.getMessage());
    }
  }

  @Override
  public void onAction(String target, int index, String action) {
    LOG.debug("{}: [{}] {}", target, index, action);
  }

  @Override
  public void onCheckAttempt(String target, String check, int attempt, CheckResult result) {
    if (result.passed()) {
      LOG.debug("{}: check passed (attempt {}): {}: {}", target, attempt, check, result.detail());
    } else {
      LOG.warn("{}: check failed (attempt {}): {}: {}", target, attempt, check, result.detail());
    }
  }

  @Override
  public void onRestoreStarted(String target, String reason) {
    LOG.warn("{}: restoring the original state: {}", target, reason);
  }

  @Override
  public void onOutcome(RollbackReport report) {
    if (report.outcome() == Outcome.ROLLED_BACK) {
      LOG.info("{}: {} in {} ms", report.target(), report.outcome(), report.duration().toMillis());
    } else {
      LOG.error("{}: {} in {} ms: {}", report.target(), report.outcome(), report.duration().toMillis(),
          report.failure());
    }
  }
}
