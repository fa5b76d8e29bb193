package dev.rollback.fleet;

import dev.rollback.CompletedRun;
import dev.rollback.Outcome;
import dev.rollback.RollbackInProgressException;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.Executor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same rollback on many hosts, in waves: a canary wave of {@code k} hosts first, then the rest (in waves of a
 * given size, or all at once), at most {@code parallelism} hosts at a time. The first wave that fails stops the
 * fleet: its hosts that rolled back are undone from their checkpoints, later waves never start, and hosts of
 * earlier waves stay rolled back unless {@link Builder#restoreAllOnFailure(boolean)} asks for them to be undone
 * too.
 *
 * <pre>{@code
 * FleetReport r = Fleet.builder("api-production")
 *     .hosts(hosts)
 *     .connectWith(host -> SshExecutor.connect("deploy@" + host, options))
 *     .planFor((host, ssh) -> RollbackPlan.builder("api@" + host)
 *         .step(SymlinkRollback.of(ReleaseDirectory.at(ssh, "/srv/app")).toPrevious()).build())
 *     .canary(1).parallelism(10)
 *     .build().run();
 * }</pre>
 *
 * <p>Connections are opened from the start, the canary's first and on their own, then every other host's in
 * parallel while the canary runs; each is reused by every command of its host's plan. A host starts as soon as its
 * own connection is open and its wave's turn has come: the canary does not wait for the rest of the fleet to
 * answer. An unreachable host (refused, timed out, host key rejected) fails only itself, which fails its wave. A host that
 * runs past the per-host deadline is reported {@link HostOutcome#TIMED_OUT} and its connection closed, so the
 * fleet never hangs on it. Defaults: canary 1, the rest in one wave, parallelism 10, per-host deadline 10 minutes,
 * earlier waves kept.
 */
public final class Fleet {
  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);
  private final String target;
  private final List<String> hosts;
  private final HostConnector connector;
  private final HostPlanner planner;
  private final int parallelism;
  private final int canary;
  private final int waveSize;
  private final boolean restoreAll;
  private final Duration hostDeadline;
  private final Clock clock;

  private Fleet(Builder b) {
    this.target = b.target;
    this.hosts = List.copyOf(b.hosts);
    this.connector = b.connector;
    this.planner = b.planner;
    this.parallelism = b.parallelism;
    this.canary = b.canary;
    this.waveSize = b.waveSize;
    this.restoreAll = b.restoreAll;
    this.hostDeadline = b.hostDeadline;
    this.clock = b.clock;
  }

  /**
   * Starts a fleet rollback.
   *
   * @param target a name for the fleet, for reports
   * @return the builder
   */
  public static Builder builder(String target) {
    return new Builder(Objects.requireNonNull(target, "target"));
  }

  /** @return the waves the hosts fall into: the canary first */
  public List<List<String>> waves() {
    List<List<String>> out = new ArrayList<>();
    int first = Math.min(canary, hosts.size());
    out.add(hosts.subList(0, first));
    int size = waveSize <= 0 ? hosts.size() : waveSize;
    for (int i = first; i < hosts.size(); i += size) {
      out.add(hosts.subList(i, Math.min(hosts.size(), i + size)));
    }
    out.removeIf(List::isEmpty);
    return out;
  }

  /** Mutable state of one host during a run. */
  private static final class Host {
    final String name;
    final int wave;
    volatile HostOutcome outcome = HostOutcome.NOT_STARTED;
    Duration duration = Duration.ZERO;
    CompletedRun run;
    RollbackReport undo;
    String error;

    Host(String name, int wave) {
      this.name = name;
      this.wave = wave;
    }

    /** Records an end, unless the host timed out already: its state is then unknown and stays reported so. */
    synchronized void settle(HostOutcome o, String why) {
      if (outcome != HostOutcome.TIMED_OUT) {
        outcome = o;
        error = why;
      }
    }

    synchronized HostReport report() {
      return new HostReport(name, wave, outcome, duration, run == null ? null : run.report(), undo, error);
    }
  }

  /**
   * Runs the fleet rollback.
   *
   * @return the report; never throws for a host's failure
   */
  public FleetReport run() {
    Instant start = clock.instant();
    ExecutorService pool = pool("rollback-fleet-" + target + "-");
    Connections connections = new Connections(start);
    List<List<String>> waves = waves();
    Map<String, Host> state = new LinkedHashMap<>();
    for (int w = 0; w < waves.size(); w++) {
      for (String h : waves.get(w)) {
        state.put(h, new Host(h, w + 1));
      }
    }
    try {
      connections.openAll();
      List<WaveReport> waveReports = new ArrayList<>();
      String failure = null;
      for (int w = 0; w < waves.size() && failure == null; w++) {
        Instant ws = clock.instant();
        List<String> wave = waves.get(w);
        runWave(pool, wave, state, connections);
        boolean ok = wave.stream().allMatch(h -> state.get(h).outcome == HostOutcome.ROLLED_BACK);
        if (!ok) {
          failure = "wave " + (w + 1) + (w == 0 ? " (canary)" : "") + " failed on "
              + wave.stream().filter(h -> state.get(h).outcome != HostOutcome.ROLLED_BACK).toList();
          List<String> toUndo = new ArrayList<>(wave);
          if (restoreAll) {
            for (int e = w - 1; e >= 0; e--) {
              toUndo.addAll(waves.get(e));
            }
          }
          undoAll(pool, toUndo, state);
        }
        waveReports.add(new WaveReport(w + 1, wave, ok, Duration.between(ws, clock.instant())));
      }
      finishAll(pool, state);
      boolean broken = state.values().stream().anyMatch(h -> h.outcome == HostOutcome.FAILED
          || h.outcome == HostOutcome.TIMED_OUT);
      FleetReport.Outcome outcome = broken ? FleetReport.Outcome.FAILED
          : failure != null ? FleetReport.Outcome.STOPPED : FleetReport.Outcome.ROLLED_BACK;
      List<HostReport> reports = state.values().stream().map(Host::report).toList();
      FleetReport r = new FleetReport(target, outcome, start, Duration.between(start, clock.instant()),
          connections.took(), waveReports, reports, failure);
      if (LOG.isInfoEnabled()) {
        LOG.info("{}", r.toText().strip()); // the text of every host's report: built only when it is logged
      }
      return r;
    } finally {
      connections.closeAll(pool);
      pool.shutdownNow();
    }
  }

  private ExecutorService pool(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(parallelism, r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Every host's connection: the canary's opened first, then all the others in parallel, so a host starts as soon
   * as its own connection is open and its wave's turn has come rather than when the slowest host of the fleet has
   * answered. Connections not started when the fleet ends never start; those still opening close as they arrive.
   */
  private final class Connections {
    private final Instant start;
    private final Map<String, CompletableFuture<Executor>> pending = new LinkedHashMap<>();
    private final List<Executor> opened = new ArrayList<>();
    private final ExecutorService pool;
    private boolean finished;
    private volatile Instant lastSettled;

    Connections(Instant start) {
      this.start = start;
      this.lastSettled = start;
      this.pool = connector == null ? null : pool("rollback-fleet-" + target + "-connect-");
    }

    void openAll() {
      if (pool == null) {
        return;
      }
      List<String> all = new ArrayList<>(new LinkedHashSet<>(hosts));
      int first = Math.min(canary, all.size());
      for (String h : all) {
        pending.put(h, new CompletableFuture<>());
      }
      // The canary's connections first, on their own: on a busy client they would otherwise share the CPU with
      // every other handshake and the canary would start last. The rest open while the canary runs.
      CompletableFuture<?>[] canaries = all.subList(0, first).stream().map(pending::get)
          .toArray(CompletableFuture<?>[]::new);
      all.subList(0, first).forEach(this::start);
      CompletableFuture.allOf(canaries).whenComplete((ok, failed) -> all.subList(first, all.size())
          .forEach(this::start));
    }

    private void start(String h) {
      CompletableFuture<Executor> f = pending.get(h);
      try {
        pool.execute(() -> {
          if (f.isDone()) {
            return; // cancelled: the fleet ended before this connection's turn
          }
          try {
            f.complete(open(h));
          } catch (RuntimeException | Error e) {
            f.completeExceptionally(e);
          }
        });
      } catch (RejectedExecutionException e) {
        f.completeExceptionally(new IllegalStateException("the fleet ended before the connection to " + h
            + " was opened"));
      }
    }

    private Executor open(String h) {
      try {
        Executor e = connector.connect(h);
        synchronized (opened) {
          if (!finished) {
            opened.add(e);
            return e;
          }
        }
        closeQuietly(e);
        throw new IllegalStateException("the fleet ended before the connection to " + h + " opened");
      } finally {
        settled();
      }
    }

    private synchronized void settled() {
      Instant now = clock.instant();
      if (now.isAfter(lastSettled)) {
        lastSettled = now;
      }
    }

    /**
     * Waits for a host's connection.
     *
     * @return the executor, or null without a connector
     * @throws Unreachable when it failed or did not open within the per-host deadline from the fleet's start
     */
    Executor await(String h) {
      CompletableFuture<Executor> f = pending.get(h);
      if (f == null) {
        return null;
      }
      Duration left = Duration.between(clock.instant(), start.plus(hostDeadline));
      try {
        return f.get(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        f.cancel(true);
        throw new Unreachable("no connection within " + hostDeadline.toSeconds() + " s");
      } catch (ExecutionException e) {
        throw new Unreachable(message(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Unreachable("interrupted while connecting");
      }
    }

    /** @return the host's connection if it is open now, else null */
    Executor ifOpen(String h) {
      CompletableFuture<Executor> f = pending.get(h);
      // a cancelled future counts as completed exceptionally
      return f == null || !f.isDone() || f.isCompletedExceptionally() ? null : f.getNow(null);
    }

    /** @return from the start until the last connection opened or failed */
    Duration took() {
      return pool == null ? Duration.ZERO : Duration.between(start, lastSettled);
    }

    void closeAll(ExecutorService closer) {
      if (pool == null) {
        return;
      }
      List<Executor> toClose;
      synchronized (opened) {
        finished = true;
        toClose = new ArrayList<>(opened);
      }
      // connections not started yet never start; those opening finish undisturbed and close themselves
      pending.values().forEach(f -> f.cancel(false));
      pool.shutdown();
      List<Future<?>> closing = new ArrayList<>();
      for (Executor e : toClose) {
        closing.add(closer.submit(() -> closeQuietly(e)));
      }
      for (Future<?> f : closing) {
        try {
          f.get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // a connection that will not close cleanly is dropped with the pool
        }
      }
    }
  }

  /** A host whose connection failed: it is reported {@link HostOutcome#UNREACHABLE}. */
  private static final class Unreachable extends RuntimeException {
    Unreachable(String why) {
      super(why, null, false, false);
    }
  }

  private void runWave(ExecutorService pool, List<String> wave, Map<String, Host> state, Connections connections) {
    Map<String, Future<?>> running = new LinkedHashMap<>();
    for (String h : wave) {
      Host host = state.get(h);
      running.put(h, pool.submit(() -> runHost(host, connections)));
    }
    await(running, state, connections, "rolling back");
  }

  private void runHost(Host host, Connections connections) {
    Instant t0 = clock.instant();
    try {
      Executor executor = connections.await(host.name);
      RollbackPlan plan = planner.plan(host.name, executor);
      CompletedRun run = plan.runUndoable();
      host.run = run;
      HostOutcome o = switch (run.report().outcome()) {
        case ROLLED_BACK -> HostOutcome.ROLLED_BACK;
        case RESTORED -> HostOutcome.RESTORED;
        case REFUSED -> HostOutcome.REFUSED;
        case FAILED -> HostOutcome.FAILED;
      };
      host.settle(o, run.report().failure());
    } catch (Unreachable e) {
      host.settle(HostOutcome.UNREACHABLE, e.getMessage());
    } catch (RollbackInProgressException e) {
      host.settle(HostOutcome.REFUSED, e.getMessage());
    } catch (RuntimeException e) {
      host.settle(HostOutcome.FAILED, message(e));
    } finally {
      host.duration = Duration.between(t0, clock.instant());
    }
  }

  private void undoAll(ExecutorService pool, List<String> names, Map<String, Host> state) {
    Map<String, Future<?>> running = new LinkedHashMap<>();
    for (String h : names) {
      Host host = state.get(h);
      if (host.outcome != HostOutcome.ROLLED_BACK || host.run == null || !host.run.undoable()) {
        continue;
      }
      running.put(h, pool.submit(() -> {
        Instant t0 = clock.instant();
        try {
          host.undo = host.run.undo();
          if (host.undo.outcome() == Outcome.RESTORED) {
            host.settle(HostOutcome.UNDONE, null);
          } else {
            host.settle(HostOutcome.FAILED, "could not be undone: " + host.undo.failure());
          }
        } catch (RuntimeException e) {
          host.settle(HostOutcome.FAILED, "could not be undone: " + message(e));
        } finally {
          host.duration = host.duration.plus(Duration.between(t0, clock.instant()));
        }
      }));
    }
    await(running, state, null, "undoing");
  }

  /**
   * Lets every host that stays rolled back drop its restore material ({@link CompletedRun#finish()}), once no
   * wave can ask for an undo any more. A failure is logged; the host stays rolled back.
   */
  private void finishAll(ExecutorService pool, Map<String, Host> state) {
    Map<String, Future<?>> running = new LinkedHashMap<>();
    for (Host host : state.values()) {
      if (host.outcome != HostOutcome.ROLLED_BACK || host.run == null || !host.run.undoable()) {
        continue;
      }
      running.put(host.name, pool.submit(() -> {
        try {
          RollbackReport f = host.run.finish();
          if (f != null && !f.actionsRequired().isEmpty()) {
            LOG.warn("{} on {}: {}", target, host.name, String.join("; ", f.actionsRequired()));
          }
        } catch (RuntimeException e) {
          LOG.warn("{} on {}: rolled back, but its restore material could not be dropped: {}", target, host.name,
              message(e));
        }
      }));
    }
    running.forEach((h, f) -> {
      try {
        f.get(hostDeadline.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        f.cancel(true);
        LOG.warn("{} on {}: finishing did not end: {}", target, h, message(e));
      }
    });
  }

  private void await(Map<String, Future<?>> running, Map<String, Host> state, Connections connections,
      String what) {
    Instant deadline = clock.instant().plus(hostDeadline);
    running.forEach((h, f) -> {
      try {
        f.get(Math.max(1, Duration.between(clock.instant(), deadline).toMillis()), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        Host host = state.get(h);
        host.settle(HostOutcome.TIMED_OUT, "still " + what + " after " + hostDeadline.toMillis()
            + " ms; its state is unknown");
        f.cancel(true);
        Executor ex = connections == null ? null : connections.ifOpen(h);
        if (ex != null) {
          closeQuietly(ex);
        }
      } catch (ExecutionException e) {
        state.get(h).settle(HostOutcome.FAILED, message(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  private static void closeQuietly(Executor e) {
    try {
      e.close();
    } catch (Exception ignored) {
      // closing a broken connection
    }
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** Builds a {@link Fleet}. Not thread-safe. */
  public static final class Builder {
    private final String target;
    private final List<String> hosts = new ArrayList<>();
    private HostConnector connector;
    private HostPlanner planner;
    private int parallelism = 10;
    private int canary = 1;
    private int waveSize;
    private boolean restoreAll;
    private Duration hostDeadline = Duration.ofMinutes(10);
    private Clock clock = Clock.systemUTC();

    private Builder(String target) {
      this.target = target;
    }

    /**
     * Adds hosts, in order: the first {@link #canary(int)} of them form the canary wave.
     *
     * @param more host names, no duplicates
     * @return this builder
     */
    public Builder hosts(List<String> more) {
      for (String h : more) {
        Objects.requireNonNull(h, "host");
        if (hosts.contains(h)) {
          throw new IllegalArgumentException("host " + h + " is listed twice");
        }
        hosts.add(h);
      }
      return this;
    }

    /**
     * Adds hosts.
     *
     * @param more host names
     * @return this builder
     */
    public Builder hosts(String... more) {
      return hosts(List.of(more));
    }

    /**
     * Opens each host's executor before the first wave, in parallel; the fleet closes them at the end.
     *
     * @param connector e.g. {@code host -> SshExecutor.connect("deploy@" + host, options)}; default none
     * @return this builder
     */
    public Builder connectWith(HostConnector connector) {
      this.connector = Objects.requireNonNull(connector, "connector");
      return this;
    }

    /**
     * Builds each host's plan.
     *
     * @param planner the planner (required)
     * @return this builder
     */
    public Builder planFor(HostPlanner planner) {
      this.planner = Objects.requireNonNull(planner, "planner");
      return this;
    }

    /**
     * Sets how many hosts roll back at once, and how many connections are opened at once.
     *
     * @param n at least 1; default 10
     * @return this builder
     */
    public Builder parallelism(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("parallelism must be >= 1, was " + n);
      }
      this.parallelism = n;
      return this;
    }

    /**
     * Sets the canary wave's size.
     *
     * @param k at least 1; default 1
     * @return this builder
     */
    public Builder canary(int k) {
      if (k < 1) {
        throw new IllegalArgumentException("the canary wave needs at least 1 host, was " + k);
      }
      this.canary = k;
      return this;
    }

    /**
     * Sets the size of the waves after the canary.
     *
     * @param size at least 1; default all remaining hosts in one wave
     * @return this builder
     */
    public Builder waveSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("wave size must be >= 1, was " + size);
      }
      this.waveSize = size;
      return this;
    }

    /**
     * When a wave fails, undo the hosts of earlier waves too.
     *
     * @param all default false (earlier waves stay rolled back)
     * @return this builder
     */
    public Builder restoreAllOnFailure(boolean all) {
      this.restoreAll = all;
      return this;
    }

    /**
     * Sets how long one host may take to connect, to roll back, or to be undone.
     *
     * @param deadline positive; default 10 minutes
     * @return this builder
     */
    public Builder hostDeadline(Duration deadline) {
      if (deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline must be positive, was " + deadline);
      }
      this.hostDeadline = deadline;
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
     * Builds the fleet.
     *
     * @return the fleet
     * @throws IllegalStateException without hosts or a planner
     */
    public Fleet build() {
      if (hosts.isEmpty()) {
        throw new IllegalStateException("fleet '" + target + "' has no hosts");
      }
      if (planner == null) {
        throw new IllegalStateException("fleet '" + target + "' needs planFor(...)");
      }
      return new Fleet(this);
    }
  }
}
