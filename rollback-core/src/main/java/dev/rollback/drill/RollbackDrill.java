package dev.rollback.drill;

import dev.rollback.Outcome;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.trigger.Watchdog;
import dev.rollback.trigger.WatchdogReport;
import dev.rollback.verify.Check;
import dev.rollback.verify.VerificationChain;
import dev.rollback.verify.VerificationResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A rollback drill: break the target on purpose, let a watchdog (or a plan run at once) recover it, then verify,
 * and measure. "Your deployment isn't complete until rollback is tested."
 *
 * <pre>{@code
 * DrillReport r = RollbackDrill.named("api")
 *     .breakWith(() -> deployer.deploy(badRelease))
 *     .recoverWith(Watchdog.builder(plan).trigger(Trigger.consecutiveFailures(health, 3)).every(ofMillis(200)))
 *     .verify(VerificationChain.of(health))
 *     .build().run();
 * assertTrue(r.passed());
 * }</pre>
 *
 * <p>With a watchdog, the drill starts watching once the break is live (the bad version deployed), so detection
 * measures the bad version, not the deploy's own restart.
 * Plain Java: no test framework needed. Defaults: no data checks, a 5-minute deadline for detection.
 */
public final class RollbackDrill {
  private final String name;
  private final BreakAction breakAction;
  private final Watchdog.Builder watchdog;
  private final RollbackPlan plan;
  private final VerificationChain verification;
  private final Duration detectionDeadline;
  private final Clock clock;

  private RollbackDrill(Builder b) {
    this.name = b.name;
    this.breakAction = b.breakAction;
    this.watchdog = b.watchdog;
    this.plan = b.plan;
    VerificationChain v = b.verification;
    for (Check c : b.dataChecks) {
      v = v.then(c);
    }
    this.verification = v;
    this.detectionDeadline = b.detectionDeadline;
    this.clock = b.clock;
  }

  /**
   * Starts a drill.
   *
   * @param name how reports name it
   * @return the builder
   */
  public static Builder named(String name) {
    return new Builder(Objects.requireNonNull(name, "name"));
  }

  /**
   * Runs the drill: (start watching,) break, wait for the rollback, verify.
   *
   * @return what it measured; {@link DrillReport#passed()} says whether the target recovered
   */
  public DrillReport run() {
    try {
      breakAction.breakTarget();
    } catch (Exception e) {
      return failed(null, null, null, null, null, "the break action failed: " + e);
    }
    Instant brokenAt = clock.instant();
    CompletableFuture<WatchdogReport> watching = null;
    Watchdog dog = null;
    if (watchdog != null) {
      dog = watchdog.build();
      watching = dog.start();
    }
    WatchdogReport wr = null;
    RollbackReport rr;
    Instant firstFailed;
    Instant detectedAt;
    if (watching != null) {
      try {
        wr = watching.get(detectionDeadline.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        dog.stop();
        return failed(brokenAt, null, null, null, null, "not detected within " + detectionDeadline.toSeconds()
            + " s of the break");
      } catch (Exception e) {
        return failed(brokenAt, null, null, null, null, "the watchdog failed: " + e);
      }
      if (wr.outcome() != WatchdogReport.Outcome.FIRED) {
        return failed(brokenAt, null, null, wr, null, "the watchdog ended without firing: " + wr.outcome());
      }
      rr = wr.rollback();
      firstFailed = wr.firstUnhealthyAt();
      detectedAt = wr.firedAt();
      if (rr == null) {
        return failed(brokenAt, firstFailed, detectedAt, wr, null, "the rollback did not run: " + wr.error());
      }
    } else {
      firstFailed = brokenAt;
      detectedAt = clock.instant();
      rr = plan.run();
    }
    VerificationResult v = verification.verify(RollbackContext.standalone(name));
    Instant verifiedAt = clock.instant();
    boolean ok = rr.outcome() == Outcome.ROLLED_BACK && v.passed();
    String failure = rr.outcome() != Outcome.ROLLED_BACK ? "the rollback ended " + rr.outcome() + ": "
        + rr.failure() : v.passed() ? null : "verification after the rollback failed: " + v.summary();
    return new DrillReport(name, ok, brokenAt, firstFailed, detectedAt, ok ? verifiedAt : null,
        between(brokenAt, detectedAt), ok ? between(firstFailed, verifiedAt) : null, wr, rr, v, failure);
  }

  private DrillReport failed(Instant brokenAt, Instant firstFailed, Instant detectedAt, WatchdogReport wr,
      RollbackReport rr, String why) {
    return new DrillReport(name, false, brokenAt, firstFailed, detectedAt, null, between(brokenAt, detectedAt), null,
        wr, rr, null, why);
  }

  private static Duration between(Instant a, Instant b) {
    return a == null || b == null ? null : Duration.between(a, b);
  }

  /** Builds a {@link RollbackDrill}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private BreakAction breakAction;
    private Watchdog.Builder watchdog;
    private RollbackPlan plan;
    private VerificationChain verification = VerificationChain.none();
    private final List<Check> dataChecks = new ArrayList<>();
    private Duration detectionDeadline = Duration.ofMinutes(5);
    private Clock clock = Clock.systemUTC();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * Sets how the target is broken (e.g. deploying a known-bad release).
     *
     * @param action the break
     * @return this builder
     */
    public Builder breakWith(BreakAction action) {
      this.breakAction = Objects.requireNonNull(action, "action");
      return this;
    }

    /**
     * Recovers through a watchdog, built anew for every run; detection is measured.
     *
     * @param watchdog the watchdog's builder, with its plan and triggers
     * @return this builder
     */
    public Builder recoverWith(Watchdog.Builder watchdog) {
      this.watchdog = Objects.requireNonNull(watchdog, "watchdog");
      this.plan = null;
      return this;
    }

    /**
     * Recovers by running a plan right after the break (no detection).
     *
     * @param plan the plan
     * @return this builder
     */
    public Builder recoverWith(RollbackPlan plan) {
      this.plan = Objects.requireNonNull(plan, "plan");
      this.watchdog = null;
      return this;
    }

    /**
     * Sets the checks that say the target is healthy after the rollback.
     *
     * @param chain the chain; default none
     * @return this builder
     */
    public Builder verify(VerificationChain chain) {
      this.verification = Objects.requireNonNull(chain, "chain");
      return this;
    }

    /**
     * Adds a data check run after the verification (e.g. recent records still there).
     *
     * @param check the check
     * @return this builder
     */
    public Builder dataCheck(Check check) {
      dataChecks.add(Objects.requireNonNull(check, "check"));
      return this;
    }

    /**
     * Sets how long the watchdog has to detect the break.
     *
     * @param deadline positive; default 5 minutes
     * @return this builder
     */
    public Builder detectionDeadline(Duration deadline) {
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline must be positive, was " + deadline);
      }
      this.detectionDeadline = deadline;
      return this;
    }

    /**
     * Sets the clock times are read from.
     *
     * @param clock default the UTC system clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the drill.
     *
     * @return the drill
     * @throws IllegalStateException without a break action or a way to recover
     */
    public RollbackDrill build() {
      if (breakAction == null) {
        throw new IllegalStateException("drill '" + name + "' needs breakWith(...)");
      }
      if (watchdog == null && plan == null) {
        throw new IllegalStateException("drill '" + name + "' needs recoverWith(watchdog or plan)");
      }
      return new RollbackDrill(this);
    }
  }
}
