package dev.rollback.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Checkpoint;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackStrategy;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecException;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.release.ReleaseDirectory;
import dev.rollback.release.ReleaseSpec;
import dev.rollback.release.SymlinkRollback;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fleets over "hosts" that are local release directories; the SSH variant is FleetSshIT. */
class FleetTest {
  @TempDir
  Path tmp;
  final List<String> hosts = new ArrayList<>();

  @BeforeEach
  void hosts() {
    for (int i = 1; i <= 6; i++) {
      String h = "web" + i;
      hosts.add(h);
      ReleaseDirectory d = dir(h);
      d.deploy(ReleaseSpec.withId("r1").file("v", "1"));
      d.deploy(ReleaseSpec.withId("r2").file("v", "2"));
      d.activate("r2");
    }
  }

  ReleaseDirectory dir(String host) {
    return ReleaseDirectory.at(tmp.resolve(host));
  }

  String current(String host) {
    return dir(host).currentId().orElseThrow();
  }

  RollbackPlan.Builder planBuilder(String host) {
    return RollbackPlan.builder("api@" + host).lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.none()).logging(false);
  }

  HostPlanner symlinks(Set<String> broken) {
    return (host, ex) -> {
      if (broken.contains(host)) {
        // this host's previous release was tampered with: its plan refuses
        try {
          Files.writeString(tmp.resolve(host).resolve("releases/r1/v"), "tampered");
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
      return planBuilder(host).step(SymlinkRollback.of(ReleaseDirectory.at(ex, tmp.resolve(host).toString())))
          .build();
    };
  }

  @Test
  void rollsEveryHostBackCanaryFirst() {
    FleetReport r = Fleet.builder("api").hosts(hosts).connectWith(h -> LocalExecutor.create())
        .planFor(symlinks(Set.of())).canary(2).waveSize(2).parallelism(3).build().run();

    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.ROLLED_BACK);
    assertThat(r.waves()).extracting(WaveReport::hosts).containsExactly(List.of("web1", "web2"),
        List.of("web3", "web4"), List.of("web5", "web6"));
    assertThat(hosts).allSatisfy(h -> assertThat(current(h)).isEqualTo("r1"));
    assertThat(r.hostsWith(HostOutcome.ROLLED_BACK)).containsExactlyElementsOf(hosts);
    assertThat(r.toText()).contains("wave 1 (canary): 2 host(s), rolled back");
  }

  @Test
  void aFailingCanaryStopsTheFleetWithNothingElseTouched() {
    FleetReport r = Fleet.builder("api").hosts(hosts).connectWith(h -> LocalExecutor.create())
        .planFor(symlinks(Set.of("web1"))).build().run();

    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.STOPPED);
    assertThat(r.waves()).hasSize(1);
    assertThat(r.failure()).contains("wave 1 (canary) failed on [web1]");
    assertThat(r.hostsWith(HostOutcome.REFUSED)).containsExactly("web1");
    assertThat(r.hostsWith(HostOutcome.NOT_STARTED)).containsExactly("web2", "web3", "web4", "web5", "web6");
    assertThat(hosts).allSatisfy(h -> assertThat(current(h)).isEqualTo("r2"));
  }

  @Test
  void aFailedWaveIsUndoneAndEarlierWavesStayRolledBackUnlessAsked() {
    FleetReport r = Fleet.builder("api").hosts(hosts).connectWith(h -> LocalExecutor.create())
        .planFor(symlinks(Set.of("web4"))).canary(1).waveSize(3).build().run();

    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.STOPPED);
    assertThat(r.hostsWith(HostOutcome.ROLLED_BACK)).containsExactly("web1");
    assertThat(r.hostsWith(HostOutcome.UNDONE)).containsExactly("web2", "web3");
    assertThat(r.hostsWith(HostOutcome.NOT_STARTED)).containsExactly("web5", "web6");
    assertThat(current("web1")).isEqualTo("r1");
    assertThat(List.of("web2", "web3", "web4", "web5", "web6")).allSatisfy(h -> assertThat(current(h))
        .isEqualTo("r2"));
  }

  @Test
  void restoreAllOnFailureUndoesEarlierWavesToo() {
    FleetReport r = Fleet.builder("api").hosts(hosts).connectWith(h -> LocalExecutor.create())
        .planFor(symlinks(Set.of("web4"))).canary(1).waveSize(3).restoreAllOnFailure(true).build().run();

    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.STOPPED);
    assertThat(r.hostsWith(HostOutcome.UNDONE)).containsExactly("web1", "web2", "web3");
    assertThat(hosts).allSatisfy(h -> assertThat(current(h)).isEqualTo("r2"));
  }

  @Test
  void anUnreachableHostFailsItsWaveAndNothingHangs() {
    FleetReport r = Fleet.builder("api").hosts(hosts).connectWith(h -> {
      if (h.equals("web3")) {
        throw new ExecException("cannot connect to web3:22: connection refused");
      }
      return LocalExecutor.create();
    }).planFor(symlinks(Set.of())).build().run();

    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.STOPPED);
    assertThat(r.hosts()).filteredOn(h -> h.host().equals("web3")).singleElement()
        .satisfies(h -> {
          assertThat(h.outcome()).isEqualTo(HostOutcome.UNREACHABLE);
          assertThat(h.error()).contains("connection refused");
        });
    assertThat(r.hostsWith(HostOutcome.ROLLED_BACK)).containsExactly("web1");
    assertThat(r.hostsWith(HostOutcome.UNDONE)).containsExactly("web2", "web4", "web5", "web6");
  }

  @Test
  void aHostPastItsDeadlineIsReportedTimedOutAndTheFleetGoesOn() {
    HostPlanner slowOnWeb2 = (host, ex) -> planBuilder(host).step(new RollbackStrategy() {
      @Override
      public String describe() {
        return "slow";
      }

      @Override
      public Checkpoint checkpoint(RollbackContext ctx) {
        return Checkpoint.of("x");
      }

      @Override
      public void rollback(RollbackContext ctx) {
        if (host.equals("web2")) {
          try {
            Thread.sleep(60_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }

      @Override
      public void restore(RollbackContext ctx, Checkpoint checkpoint) {}
    }).build();
    long t0 = System.nanoTime();
    FleetReport r = Fleet.builder("api").hosts(hosts).planFor(slowOnWeb2).hostDeadline(Duration.ofMillis(500))
        .build().run();

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.FAILED);
    assertThat(r.hostsWith(HostOutcome.TIMED_OUT)).containsExactly("web2");
    assertThat(r.toJson()).contains("\"outcome\" : \"TIMED_OUT\"");
  }

  @Test
  void theCanaryRunsWithoutWaitingForTheSlowestHostToConnect() throws Exception {
    CountDownLatch canaryDone = new CountDownLatch(1);
    AtomicBoolean web6WaitedForTheCanary = new AtomicBoolean();
    HostPlanner planner = (host, ex) -> {
      RollbackPlan p = symlinks(Set.of()).plan(host, ex);
      return host.equals("web1") ? planBuilder(host).step(new CountingDown(p, canaryDone)).build() : p;
    };

    FleetReport r = Fleet.builder("api").hosts(hosts).connectWith(h -> {
      if (h.equals("web6")) {
        // this host answers only once the canary has rolled back: a fleet that waited for every connection
        // before the canary would wait here until the deadline
        try {
          web6WaitedForTheCanary.set(canaryDone.await(20, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return LocalExecutor.create();
    }).planFor(planner).parallelism(6).hostDeadline(Duration.ofSeconds(30)).build().run();

    assertThat(web6WaitedForTheCanary).isTrue();
    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.ROLLED_BACK);
    assertThat(hosts).allSatisfy(h -> assertThat(current(h)).isEqualTo("r1"));
  }

  @Test
  void theCanarysConnectionsOpenBeforeAnyOtherStarts() {
    List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    FleetReport r = Fleet.builder("api").hosts(hosts).connectWith(h -> {
      events.add("start " + h);
      events.add("open " + h);
      return LocalExecutor.create();
    }).planFor(symlinks(Set.of())).canary(2).parallelism(6).build().run();

    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.ROLLED_BACK);
    int lastCanaryOpen = Math.max(events.indexOf("open web1"), events.indexOf("open web2"));
    for (String h : List.of("web3", "web4", "web5", "web6")) {
      assertThat(events.indexOf("start " + h)).as(h).isGreaterThan(lastCanaryOpen);
    }
  }

  @Test
  void aConnectionThatOpensAfterTheFleetStoppedIsClosed() throws Exception {
    CountDownLatch web2Connecting = new CountDownLatch(1);
    CountDownLatch fleetOver = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    HostPlanner canaryRefuses = symlinks(Set.of("web1"));
    FleetReport r = Fleet.builder("api").hosts(hosts).connectWith(h -> {
      if (h.equals("web2")) {
        web2Connecting.countDown();
        try {
          fleetOver.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new ClosingExecutor(closed);
      }
      return LocalExecutor.create();
    }).planFor((h, ex) -> {
      if (h.equals("web1")) {
        // the canary fails only once web2's connection is on its way, so it is surely still opening at the end
        try {
          assertThat(web2Connecting.await(20, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return canaryRefuses.plan(h, ex);
    }).parallelism(6).build().run();
    fleetOver.countDown();

    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.STOPPED);
    assertThat(closed.await(20, TimeUnit.SECONDS)).as("web2's late connection closed").isTrue();
    assertThat(hosts).allSatisfy(h -> assertThat(current(h)).isEqualTo("r2"));
  }

  /** Runs a plan's one step and counts a latch down after its rollback. */
  private record CountingDown(RollbackPlan plan, CountDownLatch done) implements RollbackStrategy {
    @Override
    public String describe() {
      return plan.steps().get(0).describe();
    }

    @Override
    public void preflight(RollbackContext ctx) {
      plan.steps().get(0).preflight(ctx);
    }

    @Override
    public Checkpoint checkpoint(RollbackContext ctx) {
      return plan.steps().get(0).checkpoint(ctx);
    }

    @Override
    public void rollback(RollbackContext ctx) {
      plan.steps().get(0).rollback(ctx);
      done.countDown();
    }

    @Override
    public void restore(RollbackContext ctx, Checkpoint checkpoint) {
      plan.steps().get(0).restore(ctx, checkpoint);
    }
  }

  /** An executor that only records that it was closed. */
  private static final class ClosingExecutor implements Executor {
    private final CountDownLatch closed;

    ClosingExecutor(CountDownLatch closed) {
      this.closed = closed;
    }

    @Override
    public ExecResult run(Command command) {
      throw new UnsupportedOperationException("not used");
    }

    @Override
    public String describe() {
      return "late";
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }
}
