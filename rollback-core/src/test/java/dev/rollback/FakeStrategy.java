package dev.rollback;

import java.util.List;
import java.util.Map;

/**
 * A strategy over a map standing for the world: rollback sets {@code key} to {@code to}, restore puts back what
 * the checkpoint read. Each call is appended to a shared log; any phase can be told to fail.
 */
final class FakeStrategy implements RollbackStrategy {
  private final String name;
  private final Map<String, String> world;
  private final String key;
  private final String to;
  private final List<String> log;
  private String failIn = "";

  FakeStrategy(String name, Map<String, String> world, String key, String to, List<String> log) {
    this.name = name;
    this.world = world;
    this.key = key;
    this.to = to;
    this.log = log;
  }

  FakeStrategy failingIn(String phase) {
    this.failIn = phase;
    return this;
  }

  @Override
  public String describe() {
    return name + ": set " + key + " to " + to;
  }

  @Override
  public void preflight(RollbackContext ctx) {
    log.add(name + ".preflight");
    fail("preflight");
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    log.add(name + ".checkpoint");
    fail("checkpoint");
    String was = world.get(key);
    return new Saved(key, was);
  }

  @Override
  public void rollback(RollbackContext ctx) {
    log.add(name + ".rollback");
    ctx.action("set " + key + " to " + to);
    if (!ctx.dryRun()) {
      world.put(key, to);
    }
    fail("rollback");
  }

  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    log.add(name + ".restore");
    fail("restore");
    Saved s = (Saved) checkpoint;
    world.put(s.key, s.value);
  }

  @Override
  public void finish(RollbackContext ctx, Checkpoint checkpoint) {
    log.add(name + ".finish");
    fail("finish");
  }

  private void fail(String phase) {
    if (failIn.equals(phase)) {
      throw new RollbackException(name + " broke in " + phase);
    }
  }

  record Saved(String key, String value) implements Checkpoint {
    @Override
    public String describe() {
      return key + " was " + value;
    }
  }
}
