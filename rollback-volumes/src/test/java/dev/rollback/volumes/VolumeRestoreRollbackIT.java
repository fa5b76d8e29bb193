package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.command.InspectContainerResponse;
import dev.rollback.Outcome;
import dev.rollback.Preview;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.StepReport;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VolumeRestoreRollback as a plan step against a real volume with real containers mounting it. */
class VolumeRestoreRollbackIT {
  @TempDir Path backups;
  @TempDir Path locks;
  private VolumeFixture fx;
  private String volume;
  private Path archive;
  private List<String> good;
  private List<String> current;

  @BeforeEach
  void goodArchiveThenABadDeploy() {
    fx = VolumeFixture.start();
    volume = fx.volume("app");
    fx.sh(volume, TreeScripts.tricky(4) + "\necho v1 > /data/version");
    good = fx.listing(volume);
    archive = VolumeBackup.at(backups).backup(fx.dockerVolume(volume));
    fx.sh(volume, "echo v2 > /data/version && rm -r /data/dir && mkdir /data/new-in-v2");
    current = fx.listing(volume);
  }

  @AfterEach
  void cleanUp() {
    fx.close();
  }

  @Test
  void restoresTheArchiveAndStopsAndStartsOnlyTheRunningContainersThatMountTheVolume() {
    String user = fx.runUser("rbvol-user-" + suffix(), volume);
    String other = fx.runUser("rbvol-other-" + suffix(), fx.volume("other"));
    String idle = fx.runUser("rbvol-idle-" + suffix(), volume);
    fx.docker.client().stopContainerCmd(idle).withTimeout(5).exec();
    InspectContainerResponse userBefore = fx.docker.container(user);
    InspectContainerResponse otherBefore = fx.docker.container(other);

    RollbackReport report = plan(VolumeChecks.none()).run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(fx.listing(volume)).containsExactlyElementsOf(good);
    InspectContainerResponse userAfter = fx.docker.container(user);
    assertThat(userAfter.getState().getRunning()).isTrue();
    assertThat(userAfter.getState().getStartedAt()).isGreaterThan(userBefore.getState().getStartedAt());
    assertThat(userAfter.getState().getFinishedAt()).isGreaterThan(userBefore.getState().getStartedAt());
    assertThat(fx.docker.container(other).getState().getStartedAt())
        .isEqualTo(otherBefore.getState().getStartedAt());
    assertThat(fx.docker.container(idle).getState().getRunning()).isFalse();
    StepReport step = report.steps().get(0);
    assertThat(step.actions()).anyMatch(a -> a.startsWith("safety backup of docker volume " + volume))
        .anyMatch(a -> a.startsWith("stopped container rbvol-user-"))
        .anyMatch(a -> a.startsWith("started container rbvol-user-"))
        .noneMatch(a -> a.contains("rbvol-other-") || a.contains("rbvol-idle-"));
    assertThat(VolumeBackup.at(backups).list(volume)).hasSize(2);
  }

  @Test
  void keepsTheSafetyBackupPinnedWhileThePlanVerifiesAndReleasesItOnceVerified() {
    boolean[] pinnedDuring = new boolean[1];
    Check seesThePin = new Check() {
      @Override
      public String describe() {
        return "the safety backup is pinned";
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        VolumeBackup b = VolumeBackup.at(backups);
        pinnedDuring[0] = b.list(volume).stream().filter(p -> !p.equals(archive)).anyMatch(b::pinned);
        return CheckResult.pass("looked");
      }
    };

    RollbackReport report = plan(VerificationChain.of(seesThePin)).run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(pinnedDuring[0]).as("pinned while the plan verifies").isTrue();
    Path safety = VolumeBackup.at(backups).list(volume).stream().filter(p -> !p.equals(archive)).findFirst()
        .orElseThrow();
    assertThat(VolumeBackup.at(backups).pinned(safety)).as("released once verified").isFalse();
    assertThat(safety).exists();
    assertThat(report.steps().get(0).actions()).anyMatch(a -> a.startsWith("released the pin of the safety backup"));
  }

  @Test
  void aSafetyBackupThatNoLongerVerifiesIsNotRestoredAndTheReportSaysWhatIsWhere() {
    Check corruptsTheSafetyBackup = new Check() {
      @Override
      public String describe() {
        return "a disk error hits the safety backup";
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        VolumeBackup b = VolumeBackup.at(backups);
        Path safety = b.list(volume).stream().filter(p -> !p.equals(archive)).findFirst().orElseThrow();
        try {
          LocalTrees.flipMiddleByte(safety);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return CheckResult.fail("version v1 rejected");
      }
    };

    RollbackReport report = plan(VerificationChain.of(corruptsTheSafetyBackup).retry(Retry.once())).run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.FAILED);
    assertThat(fx.listing(volume)).as("the restored contents are left, not half-replaced").containsExactlyElementsOf(good);
    Path safety = VolumeBackup.at(backups).list(volume).stream().filter(p -> !p.equals(archive)).findFirst()
        .orElseThrow();
    assertThat(report.actionsRequired()).singleElement().asString().startsWith("step 1 (" + report.steps().get(0)
        .description() + "): docker volume " + volume + " holds what the rollback restored from "
        + archive.getFileName() + "; its safety backup " + safety + " does not verify, so it was not touched. Do:"
        + " find another copy of docker volume " + volume + " from before the rollback; the safety backup is kept,"
        + " pinned, for inspection (the restore stopped on: ");
    assertThat(VolumeBackup.at(backups).pinned(safety)).isTrue();
  }

  @Test
  void failedVerificationPutsTheSafetyBackupBackAndRestartsTheContainers() {
    String user = fx.runUser("rbvol-user-" + suffix(), volume);

    RollbackReport report = plan(VolumeChecks.rejectsVersion(fx, volume, "v1")).run();

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(fx.listing(volume)).containsExactlyElementsOf(current);
    assertThat(fx.docker.container(user).getState().getRunning()).isTrue();
    Path safety = VolumeBackup.at(backups).latest(volume);
    assertThat(safety).isNotEqualTo(archive);
    assertThat(VolumeBackup.at(backups).pinned(safety)).as("unpinned once restored").isFalse();
  }

  @Test
  void corruptedArchiveIsRefusedBeforeAnythingChanges() throws Exception {
    String user = fx.runUser("rbvol-user-" + suffix(), volume);
    String startedAt = fx.docker.container(user).getState().getStartedAt();
    LocalTrees.flipMiddleByte(archive);

    RollbackReport report = plan(VolumeChecks.none()).run();

    assertThat(report.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(report.failure()).contains("does not match its manifest").contains("corrupted")
        .contains(archive.getFileName().toString());
    assertThat(fx.listing(volume)).containsExactlyElementsOf(current);
    assertThat(fx.docker.container(user).getState().getStartedAt()).isEqualTo(startedAt);
    assertThat(VolumeBackup.at(backups).list(volume)).containsExactly(archive);
  }

  @Test
  void truncatedArchiveIsRefusedWithTheVolumeUntouched() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
      f.setLength(f.length() - 1000);
    }

    assertThatThrownBy(() -> VolumeArchive.restore(archive, fx.dockerVolume(volume)))
        .isInstanceOf(ArchiveIntegrityException.class).hasMessageContaining("truncated")
        .hasMessageContaining("nothing was changed");
    assertThat(fx.listing(volume)).containsExactlyElementsOf(current);
  }

  @Test
  void archiveWithoutManifestIsRefused() throws Exception {
    Files.delete(ArchiveManifest.pathFor(archive));

    assertThatThrownBy(() -> VolumeArchive.restore(archive, fx.dockerVolume(volume)))
        .isInstanceOf(ArchiveIntegrityException.class).hasMessageContaining("has no manifest");
    assertThat(fx.listing(volume)).containsExactlyElementsOf(current);
  }

  @Test
  void previewDescribesTheRestoreAndChangesNothing() {
    String user = fx.runUser("rbvol-user-" + suffix(), volume);
    String startedAt = fx.docker.container(user).getState().getStartedAt();

    Preview preview = plan(VolumeChecks.none()).preview();

    assertThat(preview.wouldProceed()).as(preview.toString()).isTrue();
    assertThat(preview.steps().get(0).actions())
        .anyMatch(a -> a.startsWith("back up docker volume " + volume))
        .anyMatch(a -> a.startsWith("stop containers [" + user))
        .anyMatch(a -> a.startsWith("empty docker volume " + volume));
    assertThat(fx.listing(volume)).containsExactlyElementsOf(current);
    assertThat(fx.docker.container(user).getState().getStartedAt()).isEqualTo(startedAt);
    assertThat(VolumeBackup.at(backups).list(volume)).containsExactly(archive);
  }

  private RollbackPlan plan(VerificationChain checks) {
    return RollbackPlan.builder("rbvol-" + volume)
        .step(VolumeRestoreRollback.of(fx.dockerVolume(volume), archive).withStopTimeout(java.time.Duration.ZERO))
        .verify(checks)
        .lock(TargetLock.inDirectory(locks))
        .journal(Journal.none())
        .logging(false)
        .build();
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /** Checks for the plans above. */
  static final class VolumeChecks {
    static VerificationChain none() {
      return VerificationChain.none();
    }

    /** A check that fails while /data/version holds {@code bad}: the restored data is rejected, the old passes. */
    static VerificationChain rejectsVersion(VolumeFixture fx, String volume, String bad) {
      return VerificationChain.of(new Check() {
        @Override
        public String describe() {
          return "the application accepts the data in " + volume;
        }

        @Override
        public CheckResult check(RollbackContext ctx) {
          String v = String.join("", fx.sh(volume, "cat /data/version")).strip();
          return v.equals(bad) ? CheckResult.fail("version " + v + " rejected") : CheckResult.pass("version " + v);
        }
      }).retry(Retry.once());
    }
  }
}
