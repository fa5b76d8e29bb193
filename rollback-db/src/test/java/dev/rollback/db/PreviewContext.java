package dev.rollback.db;

import dev.rollback.RollbackContext;
import dev.rollback.RollbackListener;
import dev.rollback.exec.Executor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A dry-run context for unit tests: executors pass through (tests hand in recording ones), actions are kept. */
final class PreviewContext implements RollbackContext {
  final List<String> actions = new ArrayList<>();
  final Instant start = Instant.parse("2026-11-21T06:00:00Z");

  @Override
  public String target() {
    return "t";
  }

  @Override
  public String runId() {
    return "run-1";
  }

  @Override
  public boolean dryRun() {
    return true;
  }

  @Override
  public Executor executor(Executor real) {
    return real;
  }

  @Override
  public Clock clock() {
    return Clock.fixed(start, java.time.ZoneOffset.UTC);
  }

  @Override
  public Instant startedAt() {
    return start;
  }

  @Override
  public Path scratchDir() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  @Override
  public void action(String description) {
    actions.add(description);
  }

  @Override
  public RollbackListener listener() {
    return RollbackListener.none();
  }
}
