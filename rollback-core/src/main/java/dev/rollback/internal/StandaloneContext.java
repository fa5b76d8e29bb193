package dev.rollback.internal;

import dev.rollback.RollbackContext;
import dev.rollback.RollbackListener;
import dev.rollback.exec.Executor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A context outside a plan: real executors, the system clock, actions logged at DEBUG. */
public final class StandaloneContext implements RollbackContext {
  private static final Logger LOG = LoggerFactory.getLogger(StandaloneContext.class);
  private final String target;
  private final String runId = UUID.randomUUID().toString();
  private final Instant startedAt = Instant.now();
  private final ScratchDir scratch = new ScratchDir("rollback-");

  private StandaloneContext(String target) {
    this.target = target;
  }

  /**
   * @param target the target's name
   * @return the context
   */
  public static StandaloneContext create(String target) {
    return new StandaloneContext(target);
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
    return false;
  }

  @Override
  public Executor executor(Executor real) {
    return real;
  }

  @Override
  public Clock clock() {
    return Clock.systemUTC();
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
    LOG.debug("{}: {}", target, description);
  }

  @Override
  public RollbackListener listener() {
    return RollbackListener.none();
  }
}
