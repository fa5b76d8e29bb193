package dev.rollback.trigger;

import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls triggers at an interval and, when one trips, runs a rollback plan once and stops.
 *
 * <p>It never rolls back twice on its own: after firing (or being stopped) the watchdog is spent, and
 * {@link #watch()} on it again throws; a person looks, then starts a new one. A trigger that needs a duration to
 * hold does not fire on a flapping signal.
 *
 * <pre>{@code
 * Watchdog dog = Watchdog.builder(plan)
 *     .trigger(Trigger.consecutiveFailures(HttpCheck.get("http://127.0.0.1:8000/health"), 3))
 *     .every(Duration.ofSeconds(1))
 *     .build();
 * WatchdogReport report = dog.watch();          // blocks until it fires, is stopped, or expires
 * }</pre>
 *
 * <p>Defaults: poll every 1 s, no maximum duration. Thread-safe: {@link #stop()} may be called from any thread.
 */
public final class Watchdog {
  private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
  private static final int KEEP = 100;

  private final RollbackPlan plan;
  private final List<Trigger> triggers;
  private final Duration interval;
  private final Duration maxDuration;
  private final Clock clock;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private boolean used;

  private Watchdog(Builder b) {
    this.plan = b.plan;
    this.triggers = List.copyOf(b.triggers);
    this.interval = b.interval;
    this.maxDuration = b.maxDuration;
    this.clock = b.clock;
  }

  /**
   * Starts building a watchdog that runs {@code plan} when a trigger trips.
   *
   * @param plan the rollback to run
   * @return the builder
   */
  public static Builder builder(RollbackPlan plan) {
    return new Builder(Objects.requireNonNull(plan, "plan"));
  }

  /**
   * Watches on this thread until a trigger trips (then runs the plan and returns), {@link #stop()} is called, or
   * the maximum duration passes.
   *
   * @return what happened
   * @throws IllegalStateException when this watchdog has watched before, or a baseline trigger has no baseline
   */
  public WatchdogReport watch() {
    synchronized (this) {
      if (used) {
        throw new IllegalStateException("this watchdog on '" + plan.target() + "' has already watched; it never "
            + "rolls back twice on its own: build a new one once a person has looked");
      }
      used = true;
    }
    for (Trigger t : triggers) {
      if (t instanceof BaselineTrigger && Double.isNaN(((BaselineTrigger) t).baseline())) {
        throw new IllegalStateException("no baseline captured for trigger '" + t.describe() + "'");
      }
      t.reset();
    }
    RollbackContext ctx = RollbackContext.standalone(plan.target());
    Instant start = clock.instant();
    List<Deque<Observation>> seen = new ArrayList<>();
    triggers.forEach(t -> seen.add(new ArrayDeque<>()));
    Instant[] firstUnhealthy = new Instant[triggers.size()];
    LOG.info("{}: watching {} trigger(s) every {} ms", plan.target(), triggers.size(), interval.toMillis());
    while (true) {
      Instant pollAt = clock.instant();
      for (int i = 0; i < triggers.size(); i++) {
        Trigger t = triggers.get(i);
        Observation o = t.observe(ctx, clock.instant());
        Deque<Observation> q = seen.get(i);
        q.addLast(o);
        if (q.size() > KEEP) {
          q.removeFirst();
        }
        firstUnhealthy[i] = o.healthy() ? null : firstUnhealthy[i] == null ? o.at() : firstUnhealthy[i];
        if (!o.healthy()) {
          LOG.warn("{}: {}: {}", plan.target(), t.describe(), o.value());
        }
        if (o.tripped()) {
          return fire(t, new ArrayList<>(q), start, firstUnhealthy[i]);
        }
      }
      if (maxDuration != null && Duration.between(start, clock.instant()).compareTo(maxDuration) >= 0) {
        return new WatchdogReport(plan.target(), WatchdogReport.Outcome.EXPIRED, null, lastOf(seen), start, null,
            null, null, null);
      }
      long waitMs = Math.max(0, Duration.between(clock.instant(), pollAt.plus(interval)).toMillis());
      try {
        if (stopped.await(waitMs, TimeUnit.MILLISECONDS)) {
          return new WatchdogReport(plan.target(), WatchdogReport.Outcome.STOPPED, null, lastOf(seen), start, null,
              null, null, null);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new WatchdogReport(plan.target(), WatchdogReport.Outcome.STOPPED, null, lastOf(seen), start, null,
            null, null, "interrupted");
      }
    }
  }

  /**
   * Watches on a new daemon thread.
   *
   * @return the report, when watching ends
   */
  public CompletableFuture<WatchdogReport> start() {
    CompletableFuture<WatchdogReport> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        f.complete(watch());
      } catch (RuntimeException | Error e) {
        f.completeExceptionally(e);
      }
    }, "rollback-watchdog-" + plan.target());
    t.setDaemon(true);
    t.start();
    return f;
  }

  /** Stops watching; a watch in progress returns {@link WatchdogReport.Outcome#STOPPED} at its next wait. */
  public void stop() {
    stopped.countDown();
  }

  private WatchdogReport fire(Trigger t, List<Observation> obs, Instant start, Instant firstUnhealthy) {
    Instant firedAt = clock.instant();
    LOG.error("{}: trigger tripped: {}; rolling back", plan.target(), t.describe());
    RollbackReport report = null;
    String error = null;
    try {
      report = plan.run();
    } catch (RollbackException e) {
      error = e.getMessage();
      LOG.error("{}: the rollback could not run: {}", plan.target(), error);
    }
    return new WatchdogReport(plan.target(), WatchdogReport.Outcome.FIRED, t.describe(), obs, start, firstUnhealthy,
        firedAt, report, error);
  }

  private static List<Observation> lastOf(List<Deque<Observation>> seen) {
    List<Observation> out = new ArrayList<>();
    for (Deque<Observation> q : seen) {
      if (!q.isEmpty()) {
        out.add(q.getLast());
      }
    }
    return out;
  }

  /** Builds a {@link Watchdog}. Not thread-safe. */
  public static final class Builder {
    private final RollbackPlan plan;
    private final List<Trigger> triggers = new ArrayList<>();
    private Duration interval = Duration.ofSeconds(1);
    private Duration maxDuration;
    private Clock clock = Clock.systemUTC();

    private Builder(RollbackPlan plan) {
      this.plan = plan;
    }

    /**
     * Adds a trigger; any one tripping fires the plan.
     *
     * @param trigger the trigger
     * @return this builder
     */
    public Builder trigger(Trigger trigger) {
      triggers.add(Objects.requireNonNull(trigger, "trigger"));
      return this;
    }

    /**
     * Sets the poll interval, measured from the start of one poll to the start of the next.
     *
     * @param interval positive; default 1 s
     * @return this builder
     */
    public Builder every(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive, was " + interval);
      }
      this.interval = interval;
      return this;
    }

    /**
     * Stops watching after this long with no trigger tripped.
     *
     * @param max positive; default none (watch until fired or stopped)
     * @return this builder
     */
    public Builder maxDuration(Duration max) {
      if (max.isNegative() || max.isZero()) {
        throw new IllegalArgumentException("max duration must be positive, was " + max);
      }
      this.maxDuration = max;
      return this;
    }

    /**
     * Sets the clock.
     *
     * @param clock default the UTC system clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the watchdog.
     *
     * @return the watchdog
     * @throws IllegalStateException when no trigger was added
     */
    public Watchdog build() {
      if (triggers.isEmpty()) {
        throw new IllegalStateException("a watchdog needs at least one trigger");
      }
      return new Watchdog(this);
    }
  }
}
