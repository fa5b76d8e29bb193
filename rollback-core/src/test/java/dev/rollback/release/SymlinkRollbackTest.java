package dev.rollback.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.Preview;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.StepState;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.RecordingContext;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SymlinkRollbackTest {
  @TempDir
  Path tmp;
  Path root;
  ReleaseDirectory dir;
  final List<String> restarts = new ArrayList<>();

  @BeforeEach
  void releases() throws IOException {
    root = tmp.resolve("app");
    dir = ReleaseDirectory.at(root);
    Files.createDirectories(root.resolve("shared"));
    Files.writeString(root.resolve("shared/.env"), "DB_PASSWORD=s3cret\n");
    for (String id : List.of("20240115-100000", "20240115-113000", "20240116-104500")) {
      dir.deploy(ReleaseSpec.withId(id).file("version", id).sharedLink(".env"));
    }
    dir.activate("20240116-104500");
  }

  RollbackPlan.Builder plan(SymlinkRollback s) {
    return RollbackPlan.builder("api").lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl"))).step(s);
  }

  RestartHook recording() {
    return (ctx, r) -> restarts.add(r.id());
  }

  /** Passes when current/version reads the given release id. */
  Check serves(String id) {
    return new Check() {
      @Override
      public String describe() {
        return "current serves " + id;
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        try {
          String v = Files.readString(root.resolve("current/version"));
          return v.equals(id) ? CheckResult.pass(v) : CheckResult.fail("serves " + v);
        } catch (IOException e) {
          return CheckResult.fail(e.toString());
        }
      }
    };
  }

  static VerificationChain quick(Check c) {
    return VerificationChain.of(c).retry(Retry.every(Duration.ofMillis(5)).attempts(2));
  }

  @Test
  void rollsBackToThePreviousReleaseAndRestarts() {
    RollbackReport r = plan(SymlinkRollback.of(dir).restartWith("restart the service", recording()))
        .verify(quick(serves("20240115-113000"))).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(dir.currentId()).contains("20240115-113000");
    assertThat(restarts).containsExactly("20240115-113000");
    assertThat(r.steps().get(0).checkpoint()).isEqualTo("current -> releases/20240116-104500");
    assertThat(r.steps().get(0).actions()).contains("switch current from 20240116-104500 to 20240115-113000");
    // seed 000's rollback.log line: the journal says what was left and what was restored
    assertThat(Journal.jsonLines(tmp.resolve("journal.jsonl")).entries("api").get(1).detail())
        .isEqualTo("ok; [1] ROLLED_BACK: switch current from 20240116-104500 to 20240115-113000");
  }

  @Test
  void aDeployThatMovesCurrentAfterTheReadIsNeitherOverwrittenNorUndone() {
    // a deploy tool switches current to the oldest release right after the rollback reads it
    AtomicBoolean moved = new AtomicBoolean();
    Executor racing = new Executor() {
      @Override
      public ExecResult run(Command c) {
        ExecResult r = dir.executor().run(c);
        if (!moved.getAndSet(true)) {
          dir.activate("20240115-100000");
        }
        return r;
      }

      @Override
      public String describe() {
        return "racing";
      }
    };

    RollbackReport r = RollbackPlan.builder("api").step(SymlinkRollback.of(ReleaseDirectory.at(racing, dir.root())))
        .lock(TargetLock.inDirectory(tmp.resolve("locks"))).journal(Journal.none()).logging(false).build().run();

    assertThat(moved).isTrue();
    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.failure()).contains("current changed since it was read: expected releases/20240116-104500, found"
        + " releases/20240115-100000");
    assertThat(r.toText()).contains("something else moved it meanwhile, and it is left as it is");
    assertThat(r.actionsRequired()).singleElement().asString().contains(". Do: ask who deployed 20240115-100000;"
        + " to go back to what ran before the rollback: ln -sfn releases/20240116-104500 " + dir.root()
        + "/current.tmp && mv -T " + dir.root() + "/current.tmp " + dir.root() + "/current, then restart the service");
    // the deploy's switch stands
    assertThat(dir.currentId()).contains("20240115-100000");
  }

  @Test
  void rollsBackToAGivenReleaseAndRunsTheRestartCommand() {
    Path marker = tmp.resolve("restarted");
    RollbackReport r = plan(SymlinkRollback.of(dir).toRelease("20240115-100000")
        .restartWith(Command.of("sh", "-c", "cat \"$1/current/version\" > \"$2\"", "sh", root.toString(),
            marker.toString())))
        .verify(quick(serves("20240115-100000"))).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(marker).hasContent("20240115-100000");
  }

  @Test
  void switchesBackAndRestartsAgainWhenThePreviousReleaseFailsVerification() {
    RollbackReport r = plan(SymlinkRollback.of(dir).restartWith("restart the service", recording()))
        .verify(quick(serves("no-such-release"))).verifyAfterRestore(quick(serves("20240116-104500"))).build()
        .run();

    assertThat(r.outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(dir.currentId()).contains("20240116-104500");
    assertThat(restarts).containsExactly("20240115-113000", "20240116-104500");
    assertThat(r.steps().get(0).state()).isEqualTo(StepState.RESTORED);
  }

  @Test
  void refusesAnUnknownIdListingTheReleasesThatExistBeforeAnythingChanges() {
    RollbackReport r = plan(SymlinkRollback.of(dir).toRelease("20240115-113001").restartWith("restart",
        recording())).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("release 20240115-113001 not found")
        .contains("available: 20240115-100000, 20240115-113000, 20240116-104500");
    assertThat(dir.currentId()).contains("20240116-104500");
    assertThat(restarts).isEmpty();
  }

  @Test
  void refusesAReleaseWhoseFilesChangedSinceItWasDeployed() throws IOException {
    Files.writeString(root.resolve("releases/20240115-113000/version"), "hand-edited");

    RollbackReport r = plan(SymlinkRollback.of(dir)).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("cannot be trusted").contains("version differs");
    assertThat(dir.currentId()).contains("20240116-104500");
  }

  @Test
  void unrecordedReleasesAreRefusedUnlessAllowedExplicitly() throws IOException {
    Files.delete(root.resolve("releases/20240115-113000/release.json"));

    assertThat(plan(SymlinkRollback.of(dir)).build().run().outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(plan(SymlinkRollback.of(dir).allowUnrecordedReleases()).build().run().outcome())
        .isEqualTo(Outcome.ROLLED_BACK);
    assertThat(dir.currentId()).contains("20240115-113000");
  }

  @Test
  void refusesWhenThereIsNoReleaseBeforeCurrent() {
    dir.activate("20240115-100000");
    RollbackReport r = plan(SymlinkRollback.of(dir)).build().run();
    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("before 20240115-100000 not found");
  }

  @Test
  void previewNamesTheSwitchAndCommandsWithoutChangingAnything() {
    Preview p = plan(SymlinkRollback.of(dir).restartWith(Command.of("systemctl", "restart", "api")))
        .build().preview();

    assertThat(dir.currentId()).contains("20240116-104500");
    assertThat(p.wouldProceed()).isTrue();
    Preview.Step s = p.steps().get(0);
    assertThat(s.checkpoint()).isEqualTo("current -> releases/20240116-104500");
    assertThat(s.actions()).first().isEqualTo("switch current from 20240116-104500 to 20240115-113000");
    assertThat(s.actions()).anySatisfy(a -> assertThat(a).startsWith("would run on local: sh -c")
        .contains("20240115-113000"));
    assertThat(s.actions()).contains("would run on local: systemctl restart api");
  }
}
