package dev.rollback;

import dev.rollback.internal.PlanRunner;
import dev.rollback.journal.Journal;
import dev.rollback.exec.SecretMasker;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.VerificationChain;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rollback as a program: ordered steps, a verification chain, a lock, a journal, a failure policy and
 * listeners. Immutable and thread-safe once built; {@link #run()} may be called again (each run takes the lock
 * anew).
 *
 * <pre>{@code
 * RollbackPlan plan = RollbackPlan.builder("api-production")
 *     .step(SymlinkRollback.of(releases).toPrevious())
 *     .verify(VerificationChain.of(HttpCheck.get("http://127.0.0.1:8000/health").expectStatus(200)))
 *     .journal(Journal.jsonLines(Path.of("/var/log/rollback.jsonl")))
 *     .build();
 * System.out.println(plan.preview());
 * RollbackReport report = plan.run();
 * }</pre>
 *
 * <p>{@link #run()}: take the lock (a second run of the same target fails fast with
 * {@link RollbackInProgressException}); journal the start; {@link RollbackStrategy#preflight preflight} every
 * step (a refusal ends the run as {@link Outcome#REFUSED} with nothing changed); for each step, checkpoint then
 * rollback; run the verification chain; when it passed, let every step drop the restore material it kept
 * ({@link RollbackStrategy#finish finish}, newest first); on a step failure or failed verification, with policy
 * {@link FailurePolicy#RESTORE}, restore the steps already done in reverse order and run
 * {@link Builder#verifyAfterRestore the after-restore chain}, if set; journal the end; release the lock. A plan
 * without checks is reported {@linkplain RollbackReport#verified() unverified}, and {@link Builder#build()} logs a
 * warning for it.
 */
public final class RollbackPlan {
  private static final Logger LOG = LoggerFactory.getLogger(RollbackPlan.class);
  private static final Pattern TARGET = Pattern.compile("[A-Za-z0-9_@:][A-Za-z0-9._@:-]{0,199}");

  private final String target;
  private final List<RollbackStrategy> steps;
  private final VerificationChain verification;
  private final VerificationChain verificationAfterRestore;
  private final TargetLock lock;
  private final Journal journal;
  private final FailurePolicy policy;
  private final List<RollbackListener> listeners;
  private final Clock clock;
  private final SecretMasker secretMasker;

  private RollbackPlan(Builder b) {
    this.target = b.target;
    this.steps = List.copyOf(b.steps);
    this.verification = b.verification;
    this.verificationAfterRestore = b.verificationAfterRestore == null ? b.verification : b.verificationAfterRestore;
    this.lock = b.lock == null ? TargetLock.defaultLock() : b.lock;
    this.journal = b.journal == null ? Journal.defaultJournal() : b.journal;
    this.policy = b.policy;
    List<RollbackListener> ls = new ArrayList<>();
    if (b.logging) {
      ls.add(new LoggingListener());
    }
    ls.addAll(b.listeners);
    this.listeners = List.copyOf(ls);
    this.clock = b.clock;
    this.secretMasker = b.secretMasker;
  }

  /**
   * Starts a plan for a target.
   *
   * @param target a name for what is rolled back, e.g. {@code api-production}: letters, digits, {@code . _ @ : -},
   *     at most 200, not starting with {@code .} or {@code -} (it names the lock file)
   * @return a builder
   * @throws IllegalArgumentException if the name is not valid
   */
  public static Builder builder(String target) {
    if (target == null || !TARGET.matcher(target).matches()) {
      throw new IllegalArgumentException("not a valid target name: '" + target
          + "' (use letters, digits, '.', '_', '@', ':', '-'; at most 200; not starting with '.' or '-')");
    }
    return new Builder(target);
  }

  /**
   * Runs the rollback. Never throws for a failed step or verification: the report says what happened.
   *
   * @return the report: {@code ROLLED_BACK}, {@code RESTORED}, {@code FAILED} or {@code REFUSED}
   * @throws RollbackInProgressException when another run holds the target's lock
   */
  public RollbackReport run() {
    return new PlanRunner(this).run();
  }

  /**
   * Starts the rollback on its own thread and returns a handle to cancel it or wait for its report (see
   * {@link RunningRollback}). Interrupting the thread that calls {@link #run()} has the same effect as
   * {@link RunningRollback#cancel()}.
   *
   * @return the running rollback
   */
  public RunningRollback start() {
    return new RunningRollback(this);
  }

  /**
   * Runs the rollback like {@link #run()} and keeps its checkpoints, so a rollback that succeeded can be put back
   * later with {@link CompletedRun#undo()} (a fleet does this for the hosts of a wave that failed elsewhere).
   *
   * @return the finished run
   * @throws RollbackInProgressException when another run holds the target's lock
   */
  public CompletedRun runUndoable() {
    return new PlanRunner(this).runUndoable();
  }

  /**
   * Says what {@link #run()} would do and changes nothing: each step's preflight, checkpoint and rollback run in
   * a dry-run context, where mutating commands are recorded, not run. Takes no lock and writes no journal.
   *
   * @return the preview
   */
  public Preview preview() {
    return new PlanRunner(this).preview();
  }

  /** @return the target's name */
  public String target() {
    return target;
  }

  /** @return the steps, in order */
  public List<RollbackStrategy> steps() {
    return steps;
  }

  /** @return the verification chain */
  public VerificationChain verification() {
    return verification;
  }

  /** @return the chain run after a restore */
  public VerificationChain verificationAfterRestore() {
    return verificationAfterRestore;
  }

  /** @return the lock */
  public TargetLock lock() {
    return lock;
  }

  /** @return the journal */
  public Journal journal() {
    return journal;
  }

  /** @return the failure policy */
  public FailurePolicy failurePolicy() {
    return policy;
  }

  /** @return the listeners, the logging one first when enabled */
  public List<RollbackListener> listeners() {
    return listeners;
  }

  /** @return the clock */
  public Clock clock() {
    return clock;
  }

  /** @return the masker steps and checks start from ({@link RollbackContext#secretMasker()}) */
  public SecretMasker secretMasker() {
    return secretMasker;
  }

  /**
   * Builds a {@link RollbackPlan}. Not thread-safe; the plan it builds is.
   *
   * <p>Defaults: no steps (at least one is required), no checks, lock {@link TargetLock#defaultLock()}, journal
   * {@link Journal#defaultJournal()}, policy {@link FailurePolicy#RESTORE}, SLF4J logging on, the UTC system
   * clock, {@link SecretMasker#defaults()}.
   */
  public static final class Builder {
    private final String target;
    private final List<RollbackStrategy> steps = new ArrayList<>();
    private VerificationChain verification = VerificationChain.none();
    private VerificationChain verificationAfterRestore;
    private TargetLock lock;
    private Journal journal;
    private FailurePolicy policy = FailurePolicy.RESTORE;
    private final List<RollbackListener> listeners = new ArrayList<>();
    private boolean logging = true;
    private Clock clock = Clock.systemUTC();
    private SecretMasker secretMasker = SecretMasker.defaults();

    private Builder(String target) {
      this.target = target;
    }

    /**
     * Adds a step; steps run in the order added and restore in reverse.
     *
     * @param strategy the step
     * @return this builder
     */
    public Builder step(RollbackStrategy strategy) {
      steps.add(Objects.requireNonNull(strategy, "strategy"));
      return this;
    }

    /**
     * Sets the checks run after the last step.
     *
     * @param chain the chain; default none (the rollback is then unverified: set one)
     * @return this builder
     */
    public Builder verify(VerificationChain chain) {
      this.verification = Objects.requireNonNull(chain, "chain");
      return this;
    }

    /**
     * Sets the checks run after a restore.
     *
     * @param chain the chain; default the same as {@link #verify}; {@link VerificationChain#none()} to skip
     * @return this builder
     */
    public Builder verifyAfterRestore(VerificationChain chain) {
      this.verificationAfterRestore = Objects.requireNonNull(chain, "chain");
      return this;
    }

    /**
     * Sets the lock.
     *
     * @param lock the lock; default {@link TargetLock#defaultLock()}
     * @return this builder
     */
    public Builder lock(TargetLock lock) {
      this.lock = Objects.requireNonNull(lock, "lock");
      return this;
    }

    /**
     * Sets the journal.
     *
     * @param journal the journal; default {@link Journal#defaultJournal()}
     * @return this builder
     */
    public Builder journal(Journal journal) {
      this.journal = Objects.requireNonNull(journal, "journal");
      return this;
    }

    /**
     * Sets what happens when a step fails or the verification does not pass.
     *
     * @param policy default {@link FailurePolicy#RESTORE}
     * @return this builder
     */
    public Builder onFailure(FailurePolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Adds a listener; listeners hear events in the order added, after the logging listener.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(RollbackListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Turns the SLF4J {@link LoggingListener} on or off.
     *
     * @param enabled default true
     * @return this builder
     */
    public Builder logging(boolean enabled) {
      this.logging = enabled;
      return this;
    }

    /**
     * Sets the clock every time in the report is read from.
     *
     * @param clock default the UTC system clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets what is masked as secret in what steps and checks report (their failures, quoted container logs, the
     * captured output of commands run through the context): add your variable names or values, e.g.
     * {@code SecretMasker.defaults().withNamePatterns("*_DSN")}.
     *
     * @param masker default {@link SecretMasker#defaults()}
     * @return this builder
     */
    public Builder secretMasker(SecretMasker masker) {
      this.secretMasker = Objects.requireNonNull(masker, "masker");
      return this;
    }

    /**
     * Builds the plan.
     *
     * @return the immutable plan; a plan without verification checks is built, with a warning logged
     * @throws IllegalStateException when no step was added
     */
    public RollbackPlan build() {
      if (steps.isEmpty()) {
        throw new IllegalStateException("a rollback plan for '" + target + "' needs at least one step");
      }
      if (verification.isEmpty()) {
        LOG.warn("rollback plan for '{}' has no verification checks: a run can only be reported ROLLED_BACK,"
            + " unverified, and the restore material of its steps is dropped without proof that the earlier"
            + " version works; add .verify(...)", target);
      }
      return new RollbackPlan(this);
    }
  }
}
