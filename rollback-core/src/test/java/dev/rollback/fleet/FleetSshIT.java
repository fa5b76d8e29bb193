package dev.rollback.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackPlan;
import dev.rollback.exec.Command;
import dev.rollback.exec.HostKeyRejectedException;
import dev.rollback.exec.SshExecutor;
import dev.rollback.exec.SshOptions;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.release.ReleaseDirectory;
import dev.rollback.release.ReleaseSpec;
import dev.rollback.release.SymlinkRollback;
import dev.rollback.testing.TestFleet;
import dev.rollback.verify.CommandCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleets over ten real OpenSSH servers (scripts/test-env.d/70-fleet.sh), each in its own mount namespace with its
 * own /srv/app holding three recorded releases, the newest current.
 */
class FleetSshIT {
  static final String OLDEST = "20261101-090000";
  static final String PREVIOUS = "20261108-090000";
  static final String CURRENT = "20261115-090000";
  static final Duration CONNECT = Duration.ofSeconds(5);
  static final Duration COMMAND = Duration.ofSeconds(15);
  /** Restarts "the app": records the version it now serves, which the verification reads back. */
  static final Command RESTART = Command.of("sh", "-c", "cat /srv/app/current/version > /srv/app/restarted");

  static TestFleet fleet;

  @TempDir
  Path tmp;
  List<String> hosts;

  @BeforeAll
  static void fleet() {
    fleet = TestFleet.load(10);
  }

  /**
   * Every host up (a host an earlier test killed is started again), its /srv/app emptied and three releases
   * recorded, the newest current; done on this machine, where each host's /srv/app is a directory.
   */
  @BeforeEach
  void resetHosts() throws Exception {
    hosts = fleet.hosts();
    ExecutorService pool = Executors.newFixedThreadPool(hosts.size());
    try {
      List<Future<?>> resets = new ArrayList<>();
      for (String h : hosts) {
        resets.add(pool.submit(() -> reset(h)));
      }
      for (Future<?> f : resets) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private Void reset(String host) throws IOException {
    if (!fleet.listening(host)) {
      fleet.revive(host);
    }
    Path dir = fleet.localDir(host);
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).toList()) {
        Files.delete(p);
      }
    }
    ReleaseDirectory d = ReleaseDirectory.at(dir);
    for (String id : List.of(OLDEST, PREVIOUS, CURRENT)) {
      d.deploy(ReleaseSpec.withId(id).file("version", id + "\n"));
    }
    d.activate(CURRENT);
    return null;
  }

  SshOptions options(String host) {
    return fleet.options(host, CONNECT, COMMAND);
  }

  /** The release a host's current link names, read on this machine (the host's /srv/app is a directory here). */
  String current(String host) {
    try {
      return Files.readSymbolicLink(fleet.localDir(host).resolve("current")).getFileName().toString();
    } catch (IOException e) {
      throw new IllegalStateException(host + ": " + e.getMessage(), e);
    }
  }

  Path local(String host, String file) {
    return fleet.localDir(host).resolve(file);
  }

  /** Each host's plan: back to the previous release, restart with the host's command, verify what it serves. */
  HostPlanner symlinkRollback(Function<String, Command> restart) {
    return (host, ssh) -> RollbackPlan.builder("app@" + host)
        .step(SymlinkRollback.of(ReleaseDirectory.at(ssh, fleet.appDir())).toPrevious()
            .restartWith(restart.apply(host)))
        .verify(VerificationChain.of(CommandCheck.of(ssh, Command.of("sh", "-c",
            "test \"$(cat /srv/app/restarted)\" = \"$(cat /srv/app/current/version)\""))).retry(Retry.once()))
        .lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve(host + ".jsonl")))
        .logging(false)
        .build();
  }

  Fleet.Builder fleetOf(List<String> order, HostPlanner planner) {
    return Fleet.builder("app").hosts(order).connectWith(h -> SshExecutor.connect(options(h))).planFor(planner)
        .canary(1).parallelism(10).hostDeadline(Duration.ofSeconds(60));
  }

  List<String> allBut(String... skip) {
    List<String> out = new ArrayList<>(hosts);
    out.removeAll(List.of(skip));
    return out;
  }

  @Test
  void rollsEveryHostBackCanaryFirstWithEveryHostsReport() throws IOException {
    FleetReport r = fleetOf(hosts, symlinkRollback(h -> RESTART)).build().run();

    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.ROLLED_BACK);
    assertThat(r.waves()).extracting(WaveReport::hosts).containsExactly(List.of("host1"), allBut("host1"));
    assertThat(r.waves()).allSatisfy(w -> assertThat(w.succeeded()).isTrue());
    assertThat(r.hostsWith(HostOutcome.ROLLED_BACK)).containsExactlyElementsOf(hosts);
    for (String h : hosts) {
      assertThat(current(h)).as(h).isEqualTo(PREVIOUS);
      // written by the host's restart command into its /srv/app, read here from the host's own directory
      assertThat(Files.readString(local(h, "restarted"))).as(h).isEqualTo(PREVIOUS + "\n");
    }
    assertThat(r.hosts()).allSatisfy(h -> {
      assertThat(h.rollback().outcome()).isEqualTo(Outcome.ROLLED_BACK);
      assertThat(h.rollback().target()).isEqualTo("app@" + h.host());
    });
    assertThat(r.connectDuration()).isLessThan(r.duration());
    assertThat(r.toText()).contains("fleet app: ROLLED_BACK", "(10 host(s)", "wave 1 (canary): 1 host(s), rolled back",
        "wave 2: 9 host(s), rolled back");
    assertThat(r.toJson()).contains("\"outcome\" : \"ROLLED_BACK\"", "\"host\" : \"host10\"",
        "switch current from " + CURRENT + " to " + PREVIOUS);
  }

  @Test
  void aCanaryThatRefusesStopsTheFleetWithNothingElseTouched() {
    // host1's previous release no longer matches what was deployed
    try (SshExecutor ssh = SshExecutor.connect(options("host1"))) {
      ssh.run(Command.of("sh", "-c", "echo tampered > /srv/app/releases/" + PREVIOUS + "/version"))
          .requireSuccess();
    }

    FleetReport r = fleetOf(hosts, symlinkRollback(h -> RESTART)).build().run();

    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.STOPPED);
    assertThat(r.waves()).hasSize(1);
    assertThat(r.failure()).isEqualTo("wave 1 (canary) failed on [host1]");
    assertThat(r.hosts().get(0)).satisfies(h -> {
      assertThat(h.outcome()).isEqualTo(HostOutcome.REFUSED);
      assertThat(h.error()).contains("release " + PREVIOUS, "cannot be trusted", "version differs");
    });
    assertThat(r.hostsWith(HostOutcome.NOT_STARTED)).containsExactlyElementsOf(allBut("host1"));
    assertNothingChanged();
  }

  @Test
  void aCanaryWhoseRestartFailsIsRestoredAndTheFleetStops() {
    // the app on host1 will not start on the previous release: the rollback fails and is put back
    Command failsOnPrevious = Command.of("sh", "-c", "v=$(cat /srv/app/current/version); [ \"$v\" != " + PREVIOUS
        + " ] && echo \"$v\" > /srv/app/restarted");
    FleetReport r = fleetOf(hosts, symlinkRollback(h -> h.equals("host1") ? failsOnPrevious : RESTART)).build()
        .run();

    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.STOPPED);
    assertThat(r.hosts().get(0)).satisfies(h -> {
      assertThat(h.outcome()).isEqualTo(HostOutcome.RESTORED);
      assertThat(h.rollback().outcome()).isEqualTo(Outcome.RESTORED);
    });
    assertThat(r.hostsWith(HostOutcome.NOT_STARTED)).containsExactlyElementsOf(allBut("host1"));
    hosts.forEach(h -> assertThat(current(h)).as(h).isEqualTo(CURRENT));
    assertThat(allBut("host1")).allSatisfy(h -> assertThat(local(h, "restarted")).doesNotExist());
  }

  @Test
  void aHostThatDiesMidWaveFailsAloneWithoutHangingAndTheRestOfItsWaveIsUndone() {
    // host6's restart takes the whole host down: every process in its mount namespace SIGKILLed, the listening
    // sshd first (its parent is outside the host) so nothing can reconnect, this shell last
    Command dies = Command.of("sh", "-c", """
        me=$(readlink /proc/$$/ns/mnt); pids=''
        for p in /proc/[0-9]*; do
          [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$me" ] && pids="$pids ${p#/proc/}"
        done
        for p in $pids; do
          case " $pids " in *" $(cut -d' ' -f4 /proc/$p/stat 2>/dev/null) "*) ;; *) kill -KILL $p;; esac
        done
        for p in $pids; do [ $p = $$ ] || kill -KILL $p 2>/dev/null; done
        kill -KILL $$
        """);
    long t0 = System.nanoTime();
    FleetReport r;
    try {
      r = fleetOf(hosts, symlinkRollback(h -> h.equals("host6") ? dies : RESTART)).build().run();
      assertThat(fleet.listening("host6")).as("host6 is down").isFalse();
    } finally {
      fleet.revive("host6");
    }

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(45));
    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.FAILED);
    assertThat(r.failure()).isEqualTo("wave 2 failed on [host6]");
    HostReport dead = r.hosts().get(5);
    assertThat(dead.outcome()).isIn(HostOutcome.FAILED, HostOutcome.UNREACHABLE, HostOutcome.TIMED_OUT);
    assertThat(dead.error()).isNotBlank();
    // it died after the switch and before the restart finished: the report says a person must look
    assertThat(dead.rollback().outcome()).isEqualTo(Outcome.FAILED);
    assertThat(dead.rollback().actionsRequired()).isNotEmpty();
    assertThat(current("host6")).isEqualTo(PREVIOUS);
    assertThat(r.hostsWith(HostOutcome.ROLLED_BACK)).containsExactly("host1");
    assertThat(current("host1")).isEqualTo(PREVIOUS);
    List<String> undone = allBut("host1", "host6");
    assertThat(r.hostsWith(HostOutcome.UNDONE)).containsExactlyElementsOf(undone);
    undone.forEach(h -> assertThat(current(h)).as(h).isEqualTo(CURRENT));
    assertThat(r.toText()).contains("host6: " + dead.outcome());
  }

  @Test
  void aHostWithAnUnknownKeyIsUnreachableNamedAndNothingChanges() throws IOException {
    Path knownHosts = tmp.resolve("known_hosts");
    Files.write(knownHosts, Files.readAllLines(fleet.knownHosts()).stream()
        .filter(l -> !l.startsWith("[127.0.0.1]:" + fleet.port("host7") + " ")).toList());
    Map<String, RuntimeException> refused = new ConcurrentHashMap<>();
    List<String> order = new ArrayList<>(hosts);
    order.remove("host7");
    order.add(0, "host7"); // the canary

    FleetReport r = fleetOf(order, symlinkRollback(h -> RESTART)).connectWith(h -> {
      try {
        return SshExecutor.connect(options(h).withKnownHosts(knownHosts));
      } catch (RuntimeException e) {
        refused.put(h, e);
        throw e;
      }
    }).build().run();

    assertThat(refused).containsOnlyKeys("host7");
    assertThat(refused.get("host7")).isInstanceOfSatisfying(HostKeyRejectedException.class, e -> {
      assertThat(e.port()).isEqualTo(fleet.port("host7"));
      assertThat(e.changed()).isFalse();
    });
    assertThat(r.outcome()).isEqualTo(FleetReport.Outcome.STOPPED);
    assertThat(r.hosts().get(0)).satisfies(h -> {
      assertThat(h.host()).isEqualTo("host7");
      assertThat(h.outcome()).isEqualTo(HostOutcome.UNREACHABLE);
      assertThat(h.error()).isEqualTo(refused.get("host7").getMessage())
          .contains("127.0.0.1:" + fleet.port("host7"), "is not in known_hosts " + knownHosts);
      assertThat(h.rollback()).isNull();
    });
    assertThat(r.hostsWith(HostOutcome.NOT_STARTED)).containsExactlyElementsOf(order.subList(1, order.size()));
    assertNothingChanged();
  }

  private void assertNothingChanged() {
    for (String h : hosts) {
      assertThat(current(h)).as(h).isEqualTo(CURRENT);
      assertThat(local(h, "restarted")).as(h + " was never restarted").doesNotExist();
    }
  }
}
