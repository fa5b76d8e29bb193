package dev.rollback.verify;

import dev.rollback.RollbackContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ordered checks, each polled with its {@link Retry} until it passes; the chain passes when every check passes
 * and stops at the first check that runs out of time.
 *
 * <p>Polling, never a fixed sleep: a check that passes on its first attempt costs one attempt. Every attempt is
 * kept in the {@link VerificationResult} and reported to the context's listener. Immutable: {@link #then},
 * {@link #retry} and {@link #deadline} return copies.
 *
 * <p>A deadline is a promise: no attempt starts at or after it, and each attempt is given at most the time left
 * ({@link Check#check(RollbackContext, Duration)}); an attempt still running when the time is up is abandoned and
 * recorded as failed. So a chain ends within its deadline (plus the scheduling of one thread), even against a
 * server that accepts connections and never answers.
 *
 * <p>Defaults: each check polled with the chain's retry ({@link Retry#DEFAULT}: every 500 ms, 60 s deadline unless
 * {@link #retry(Retry)} says otherwise); no overall deadline beyond the checks' own.
 */
public final class VerificationChain {
  private final List<Entry> entries;
  private final Retry defaultRetry;
  private final Duration overallDeadline;

  private record Entry(Check check, Retry retry) {}

  private VerificationChain(List<Entry> entries, Retry defaultRetry, Duration overallDeadline) {
    this.entries = List.copyOf(entries);
    this.defaultRetry = defaultRetry;
    this.overallDeadline = overallDeadline;
  }

  /**
   * A chain of checks, polled with the chain's retry.
   *
   * @param checks in order
   * @return the chain
   */
  public static VerificationChain of(Check... checks) {
    List<Entry> list = new ArrayList<>();
    for (Check c : checks) {
      list.add(new Entry(Objects.requireNonNull(c, "check"), null));
    }
    return new VerificationChain(list, Retry.DEFAULT, null);
  }

  /**
   * A chain with no checks; it passes at once.
   *
   * @return the chain
   */
  public static VerificationChain none() {
    return new VerificationChain(List.of(), Retry.DEFAULT, null);
  }

  /**
   * Adds a check with the chain's retry.
   *
   * @param check the check
   * @return a copy with the check appended
   */
  public VerificationChain then(Check check) {
    return then(check, null);
  }

  /**
   * Adds a check with its own retry.
   *
   * @param check the check
   * @param retry how it is polled; null for the chain's retry
   * @return a copy with the check appended
   */
  public VerificationChain then(Check check, Retry retry) {
    List<Entry> list = new ArrayList<>(entries);
    list.add(new Entry(Objects.requireNonNull(check, "check"), retry));
    return new VerificationChain(list, defaultRetry, overallDeadline);
  }

  /**
   * Sets the retry of every check added without its own.
   *
   * @param retry the retry; default {@link Retry#DEFAULT}
   * @return a copy
   */
  public VerificationChain retry(Retry retry) {
    return new VerificationChain(entries, Objects.requireNonNull(retry, "retry"), overallDeadline);
  }

  /**
   * Bounds the whole chain: no attempt starts after this much time from the chain's start.
   *
   * @param deadline a positive duration; default none
   * @return a copy
   */
  public VerificationChain deadline(Duration deadline) {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, was " + deadline);
    }
    return new VerificationChain(entries, defaultRetry, deadline);
  }

  /** @return true when the chain has no checks */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** @return each check's description with its retry, in order */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    for (Entry e : entries) {
      out.add(e.check.describe() + " (" + retryOf(e) + ")");
    }
    return out;
  }

  /**
   * Runs the chain: each check polled until it passes or its retry runs out.
   *
   * @param ctx the context passed to every check; its listener hears every attempt
   * @return the result with every attempt
   */
  public VerificationResult verify(RollbackContext ctx) {
    Clock clock = ctx.clock();
    Instant start = clock.instant();
    Instant chainDeadline = overallDeadline == null ? null : start.plus(overallDeadline);
    List<CheckReport> reports = new ArrayList<>();
    boolean allPassed = true;
    for (Entry e : entries) {
      if (!allPassed) {
        reports.add(new CheckReport(e.check.describe(), false, List.of()));
        continue;
      }
      CheckReport r = poll(e, ctx, clock, chainDeadline);
      reports.add(r);
      allPassed = r.passed();
    }
    return new VerificationResult(allPassed, start, Duration.between(start, clock.instant()), reports);
  }

  private CheckReport poll(Entry e, RollbackContext ctx, Clock clock, Instant chainDeadline) {
    Retry retry = retryOf(e);
    Instant first = clock.instant();
    Instant deadline = first.plus(retry.deadline());
    if (chainDeadline != null && chainDeadline.isBefore(deadline)) {
      deadline = chainDeadline;
    }
    List<CheckResult> attempts = new ArrayList<>();
    String name = e.check.describe();
    if (!first.isBefore(deadline)) {
      attempts.add(CheckResult.fail("not attempted: the chain's deadline had passed when this check's turn came")
          .timed(first, Duration.ZERO));
      return new CheckReport(name, false, attempts);
    }
    while (true) {
      Instant at = clock.instant();
      Attempt a = attempt(e.check, ctx, Duration.between(at, deadline));
      CheckResult r = a.result.timed(at, Duration.between(at, clock.instant()));
      attempts.add(r);
      try {
        ctx.listener().onCheckAttempt(ctx.target(), name, attempts.size(), r);
      } catch (RuntimeException listenerFailure) {
        // a broken progress display must never decide a rollback
      }
      if (r.passed()) {
        return new CheckReport(name, true, attempts);
      }
      if (a.interrupted) {
        return new CheckReport(name, false, attempts);
      }
      // The next attempt starts an interval after this one started, or now if this one took longer; never at or
      // after the deadline.
      Instant now = clock.instant();
      Instant next = at.plus(retry.interval());
      if (next.isBefore(now)) {
        next = now;
      }
      if (attempts.size() >= retry.maxAttempts() || !next.isBefore(deadline)) {
        return new CheckReport(name, false, attempts);
      }
      long waitMs = Duration.between(now, next).toMillis();
      if (waitMs > 0) {
        try {
          Thread.sleep(waitMs);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          attempts.add(CheckResult.fail("interrupted while waiting for the next attempt").timed(clock.instant(),
              Duration.ZERO));
          return new CheckReport(name, false, attempts);
        }
      }
    }
  }

  private record Attempt(CheckResult result, boolean interrupted) {}

  /**
   * One attempt, given at most {@code left}: on a worker thread, so that a check that does not bound itself (a
   * listener that accepts and never answers, a user's check without a timeout) cannot hold the chain past its
   * deadline. When the time is up the worker is interrupted and the attempt recorded as failed.
   */
  private static Attempt attempt(Check check, RollbackContext ctx, Duration left) {
    Duration bound = left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left;
    Future<CheckResult> f = ATTEMPTS.submit(() -> check.check(ctx, bound));
    try {
      CheckResult r = f.get(bound.toNanos(), TimeUnit.NANOSECONDS);
      return new Attempt(r == null ? CheckResult.fail("check returned no result") : r, false);
    } catch (TimeoutException te) {
      f.cancel(true);
      return new Attempt(CheckResult.fail("no result within the " + bound.toMillis() + " ms left before the"
          + " deadline (the attempt was abandoned)"), false);
    } catch (ExecutionException ee) {
      Throwable c = ee.getCause();
      if (c instanceof Error err) {
        throw err;
      }
      return new Attempt(CheckResult.fail(c.getClass().getSimpleName() + ": " + c.getMessage()), false);
    } catch (InterruptedException ie) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      return new Attempt(CheckResult.fail("interrupted during the attempt"), true);
    }
  }

  /** Runs attempts; daemon threads, so an abandoned attempt never keeps a JVM alive. */
  private static final ExecutorService ATTEMPTS = Executors.newCachedThreadPool(new ThreadFactory() {
    private final AtomicInteger n = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "rollback-check-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  });

  private Retry retryOf(Entry e) {
    return e.retry == null ? defaultRetry : e.retry;
  }
}
