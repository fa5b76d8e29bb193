package dev.rollback.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.Outcome;
import dev.rollback.ReleaseNotFoundException;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Behaviour every {@link ReleaseDirectory} must show, whatever executor reaches it; run locally by
 * {@link ReleaseDirectoryTest} and over the real OpenSSH server by {@code ReleaseDirectorySshIT}.
 */
abstract class ReleaseDirectoryContract {

  /** @return the executor the directory is reached through */
  abstract Executor executor();

  /** @return a fresh, empty app root reachable through {@link #executor()} */
  abstract String freshRoot();

  ReleaseDirectory dir() {
    return ReleaseDirectory.at(executor(), freshRoot());
  }

  /**
   * The same directory, for laying out many releases before the behaviour under test: over SSH, the same path
   * through this machine (the test sshd runs here), so that twelve deploys do not cost a hundred remote commands.
   * What is under test still goes through {@link #executor()}.
   */
  ReleaseDirectory forLayout(ReleaseDirectory d) {
    return d;
  }

  void sh(String script, String... args) {
    String[] argv = new String[args.length + 3];
    argv[0] = "-c";
    argv[1] = script;
    argv[2] = "sh";
    System.arraycopy(args, 0, argv, 3, args.length);
    executor().run(Command.of("sh", argv)).requireSuccess();
  }

  static ReleaseSpec release(String id) {
    return ReleaseSpec.withId(id).file("app/version.txt", id).file("config.yml", "port: 8080\n")
        .executable("bin/start", "#!/bin/sh\necho " + id + "\n").sharedLink(".env");
  }

  @Test
  void ordersReleasesByTheirDeployRecordNotByIdOrModificationTime() {
    ReleaseDirectory d = dir();
    sh("mkdir -p \"$1/shared\" && echo 'TOKEN=x' > \"$1/shared/.env\"", d.root());
    d.deploy(release("20240116-104500"));
    d.deploy(release("20240115-100000"));
    d.deploy(release("20240115-142000"));
    // make the first deployed the newest file
    sh("touch \"$1/releases/20240116-104500\"", d.root());

    assertThat(d.ids()).containsExactly("20240116-104500", "20240115-100000", "20240115-142000");
    assertThat(d.currentId()).isEmpty();
    assertThat(d.previous()).isEmpty();

    d.activate("20240115-100000");
    assertThat(d.currentId()).contains("20240115-100000");
    assertThat(d.previous()).get().extracting(Release::id).isEqualTo("20240116-104500");
    assertThat(d.current().get().manifest().get().files()).containsKeys("app/version.txt", "config.yml",
        "bin/start");
    assertThat(d.current().get().deploySequence()).hasValue(2);
    assertThat(d.verify("20240115-142000").id()).isEqualTo("20240115-142000");
  }

  @Test
  void theReleaseBeforeTenIsNineAndRetentionKeepsEightToTwelveAmongIdsOneToTwelve() {
    ReleaseDirectory d = dir();
    ReleaseDirectory lay = forLayout(d);
    for (int i = 1; i <= 12; i++) {
      lay.deploy(ReleaseSpec.withId("" + i).file("v", "" + i));
    }
    d.activate("10");
    assertThat(d.ids()).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
    assertThat(d.previous()).get().extracting(Release::id).isEqualTo("9");
    AtomicInteger commands = new AtomicInteger();

    RollbackReport r = rollBack(counting(commands), d.root());

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(d.currentId()).contains("9");
    // the host's shell proposed 9 from the deploy records, so its hashes served: one read, one switch
    assertThat(commands.get()).isEqualTo(2);

    d.activate("12");
    RetentionResult kept = d.keepLast(5);
    assertThat(kept.removed()).containsExactly("1", "2", "3", "4", "5", "6", "7");
    assertThat(d.ids()).containsExactly("8", "9", "10", "11", "12");
  }

  @Test
  void releasesLaidByHandWithoutARecordOrderAsNumbersWithFewerLeadingZerosFirst() {
    ReleaseDirectory d = dir();
    sh("mkdir -p \"$1/releases\" && cd \"$1/releases\" && for i in 1 2 3 4 5 6 7 8 9 10 11 12 09 010; do "
        + "mkdir \"$i\" && echo \"$i\" > \"$i/v\"; done && ln -s releases/10 ../current", d.root());

    assertThat(d.ids()).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "09", "10", "010", "11", "12");
    assertThat(d.previous()).get().extracting(Release::id).isEqualTo("09");
    assertThat(rollBackUnrecorded(executor(), d.root()).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(d.currentId()).contains("09");

    d.activate("12");
    assertThat(d.keepLast(5).kept()).containsExactly("09", "10", "010", "11", "12");
  }

  @Test
  void releasesFromBeforeTheDeployRecordKeepTheirTimestampOrderBeforeTheRecordedOnes() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("20240115-100000").file("v", "1"));
    d.deploy(ReleaseSpec.withId("20240115-113000").file("v", "2"));
    // as an SDK from before the deploy record wrote them
    sh("cd \"$1/releases\" && for r in *; do grep -v '\"sequence\"' \"$r/release.json\" > m && "
        + "mv m \"$r/release.json\"; done", d.root());
    assertThat(d.releases()).allSatisfy(r -> assertThat(r.deploySequence()).isEmpty());
    d.deploy(ReleaseSpec.withId("20240116-091500").file("v", "3"));
    d.activate("20240116-091500");

    assertThat(d.ids()).containsExactly("20240115-100000", "20240115-113000", "20240116-091500");
    assertThat(rollBack(executor(), d.root()).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(d.currentId()).contains("20240115-113000");
  }

  @Test
  void gitShaReleasesAreOrderedByTheirDeployRecord() {
    ReleaseDirectory d = dir();
    for (String sha : List.of("9c0ffee", "e4d5c6b", "3f2a1bc")) {
      d.deploy(ReleaseSpec.withId(sha).file("v", sha));
    }
    d.activate("3f2a1bc");

    assertThat(d.ids()).containsExactly("9c0ffee", "e4d5c6b", "3f2a1bc");
    assertThat(rollBack(executor(), d.root()).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(d.currentId()).contains("e4d5c6b");

    d.activate("3f2a1bc");
    RetentionResult kept = d.keepLast(1);
    assertThat(kept.removed()).containsExactly("9c0ffee");
    assertThat(kept.protectedIds()).containsExactly("e4d5c6b (previous)");
  }

  @Test
  void gitShaReleasesWithoutARecordAreRefusedNamingThemAndNothingIsRemoved() {
    ReleaseDirectory d = dir();
    sh("mkdir -p \"$1/releases\" && cd \"$1/releases\" && for i in 9c0ffee e4d5c6b 3f2a1bc; do "
        + "mkdir \"$i\" && echo \"$i\" > \"$i/v\"; done && ln -s releases/3f2a1bc ../current", d.root());

    RollbackReport r = rollBackUnrecorded(executor(), d.root());
    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("cannot tell which release came before 3f2a1bc")
        .contains("9c0ffee (no deploy record").contains("e4d5c6b (no deploy record");
    assertThat(d.currentId()).contains("3f2a1bc");

    assertThatThrownBy(() -> d.keepLast(1)).isInstanceOfSatisfying(UnorderedReleasesException.class,
        e -> assertThat(e.unordered()).containsExactlyInAnyOrder("9c0ffee", "e4d5c6b", "3f2a1bc"))
        .hasMessageContaining("cannot tell which releases are the oldest");
    assertThat(d.ids()).hasSize(3);
    assertThat(SymlinkRollback.of(d).allowUnrecordedReleases().toRelease("e4d5c6b")).isNotNull();
  }

  @Test
  void unknownIdsAreRefusedListingWhatExists() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("20240115-100000").file("a", "1"));
    d.deploy(ReleaseSpec.withId("20240116-091500").file("a", "2"));

    assertThatThrownBy(() -> d.release("20240115-113000")).isInstanceOfSatisfying(ReleaseNotFoundException.class,
        e -> {
          assertThat(e.available()).containsExactly("20240115-100000", "20240116-091500");
          assertThat(e.getMessage()).isEqualTo("release 20240115-113000 not found in " + d.releasesDir()
              + "; available: 20240115-100000, 20240116-091500");
        });
  }

  @Test
  void idsThatEscapeOrReadAsOptionsAreRejectedBeforeAnyCommandRuns() {
    ReleaseDirectory d = dir();
    for (String bad : List.of("../../etc", "a/b", "-rf", ".hidden", "x..y", "a b", "a\nb", "a\u0007b", "")) {
      assertThatThrownBy(() -> d.release(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("invalid release id");
      assertThatThrownBy(() -> SymlinkRollback.of(d).toRelease(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> ReleaseSpec.withId("r1").file("../escape", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'..'");
    assertThatThrownBy(() -> ReleaseSpec.withId("r1").file("/etc/passwd", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void retentionKeepsTheNewestAndNeverCurrentPreviousOrPinned() {
    ReleaseDirectory d = dir();
    for (int i = 1; i <= 7; i++) {
      d.deploy(ReleaseSpec.withId("r" + i).file("v", "" + i));
    }
    d.activate("r3");
    d.pin("r1");

    RetentionResult res = d.keepLast(2);

    assertThat(res.removed()).containsExactly("r4", "r5");
    assertThat(res.kept()).containsExactly("r1", "r2", "r3", "r6", "r7");
    assertThat(res.protectedIds()).containsExactly("r1 (pinned)", "r2 (previous)", "r3 (current)");
    assertThat(d.ids()).containsExactly("r1", "r2", "r3", "r6", "r7");

    d.unpin("r1");
    assertThat(d.keepLast(2).removed()).containsExactly("r1");
    assertThat(d.keepLast().removed()).isEmpty();
    assertThatThrownBy(() -> d.keepLast(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aReleaseWithAMissingOrTamperedManifestOrFileIsNotTrusted() {
    ReleaseDirectory d = dir();
    sh("mkdir -p \"$1/shared\" && echo 'TOKEN=x' > \"$1/shared/.env\"", d.root());
    d.deploy(release("r1"));
    d.deploy(release("r2"));
    d.deploy(release("r3"));
    d.deploy(release("r4"));

    sh("echo 'port: 9999' > \"$1/releases/r1/config.yml\"", d.root());
    assertThatThrownBy(() -> d.verify("r1")).isInstanceOf(ReleaseIntegrityException.class)
        .hasMessageContaining("release r1").hasMessageContaining("config.yml differs from what was deployed");

    sh("rm \"$1/releases/r2/app/version.txt\"", d.root());
    assertThatThrownBy(() -> d.verify("r2")).hasMessageContaining("app/version.txt is missing");

    sh("rm \"$1/releases/r3/release.json\"", d.root());
    assertThatThrownBy(() -> d.verify("r3")).hasMessageContaining("release.json is missing");

    sh("echo '{not json' > \"$1/releases/r4/release.json\"", d.root());
    assertThatThrownBy(() -> d.verify("r4")).hasMessageContaining("is not a valid manifest");

    d.deploy(release("r5"));
    sh("rm \"$1/shared/.env\"", d.root());
    assertThatThrownBy(() -> d.verify("r5")).hasMessageContaining("shared link .env does not resolve");
  }

  @Test
  void aCrashBetweenLinkAndRenameLeavesCurrentValidAndTheNextSwitchCleansUp() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("r1").file("v", "1"));
    d.deploy(ReleaseSpec.withId("r2").file("v", "2"));
    d.activate("r2");
    // the first half of a switch, as a crash would leave it
    sh("cd \"$1\" && ln -s releases/r1 .current.tmp-crashed", d.root());

    assertThat(d.currentId()).contains("r2");
    sh("test \"$(cat \"$1/current/v\")\" = 2", d.root());

    d.activate("r1");
    assertThat(d.currentId()).contains("r1");
    sh("test ! -e \"$1/.current.tmp-crashed\" && test ! -L \"$1/.current.tmp-crashed\"", d.root());
  }

  @Test
  void aCurrentThatIsNotASymlinkIsReportedNotGuessed() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("r1").file("v", "1"));
    sh("mkdir -p \"$1/current\"", d.root());
    assertThatThrownBy(d::currentId).isInstanceOf(ReleaseIntegrityException.class)
        .hasMessageContaining("is not a symlink");
  }

  @Test
  void aHalfWrittenDeployNeverAppearsUnderAValidId() {
    ReleaseDirectory d = dir();
    sh("mkdir -p \"$1/releases/.partial-r9-abcd\" && echo x > \"$1/releases/.partial-r9-abcd/v\"", d.root());
    d.deploy(ReleaseSpec.withId("r1").file("v", "1"));
    assertThat(d.ids()).containsExactly("r1");
    assertThatThrownBy(() -> d.deploy(ReleaseSpec.withId("r1").file("v", "again")))
        .hasMessageContaining("already exists");
  }

  @Test
  void aSwitchThatExpectsAnotherCurrentIsRefusedAndChangesNothing() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("r1").file("v", "1"));
    d.deploy(ReleaseSpec.withId("r2").file("v", "2"));
    d.deploy(ReleaseSpec.withId("r3").file("v", "3"));
    d.activate("r3");

    assertThatThrownBy(() -> d.activate("r1", "r2")).isInstanceOfSatisfying(CurrentMovedException.class,
        e -> assertThat(e.found()).isEqualTo("releases/r3"))
        .hasMessageContaining("current changed since it was read: expected releases/r2, found releases/r3");
    assertThat(d.currentId()).contains("r3");
    d.activate("r1", "r3");
    assertThat(d.currentId()).contains("r1");
  }

  @Test
  void aManifestThatRecordsAPathOutsideItsReleaseIsNotTrusted() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("r1").file("v", "1"));
    sh("cd \"$1/releases/r1\" && sed 's#\"v\"#\"../../../../etc/hostname\"#' release.json > m && mv m release.json",
        d.root());
    assertThatThrownBy(() -> d.verify("r1")).isInstanceOf(ReleaseIntegrityException.class)
        .hasMessageContaining("not a path inside the release");
  }

  @Test
  void symlinkRollbackReadsChecksAndSwitchesInTwoCommands() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("r1").file("a", "1").file("b", "2").file("c", "3"));
    d.deploy(ReleaseSpec.withId("r2").file("a", "1"));
    d.activate("r2");
    AtomicInteger commands = new AtomicInteger();

    RollbackReport r = rollBack(counting(commands), d.root());

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(d.currentId()).contains("r1");
    // one read (current, releases, r1's manifest and its files hashed on the host), one compare-and-swap switch
    assertThat(commands.get()).isEqualTo(2);
    commands.set(0);
    ReleaseDirectory.at(counting(commands), d.root()).verify("r2");
    assertThat(commands.get()).isEqualTo(1);
  }

  @Test
  void aTamperedFileIsFoundByTheOneCommandRead() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("r1").file("a", "1").file("b", "2"));
    d.deploy(ReleaseSpec.withId("r2").file("a", "1"));
    d.activate("r2");
    sh("echo tampered > \"$1/releases/r1/b\"", d.root());
    AtomicInteger commands = new AtomicInteger();

    RollbackReport r = rollBack(counting(commands), d.root());

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("b differs from what was deployed");
    assertThat(commands.get()).isEqualTo(1);
    assertThat(d.currentId()).contains("r2");
  }

  @Test
  void aReleaseWithoutAPathsListIsStillCheckedByStreamingItsFiles() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("r1").file("a", "1").file("b", "2"));
    d.deploy(ReleaseSpec.withId("r2").file("a", "1"));
    d.activate("r2");
    // as an SDK from before release.paths deployed it
    sh("rm \"$1/releases/r1/release.paths\"", d.root());
    AtomicInteger commands = new AtomicInteger();

    assertThat(rollBack(counting(commands), d.root()).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(commands.get()).isEqualTo(3);

    d.activate("r2");
    sh("echo tampered > \"$1/releases/r1/a\"", d.root());
    assertThatThrownBy(() -> d.verify("r1")).isInstanceOf(ReleaseIntegrityException.class)
        .hasMessageContaining("a differs from what was deployed");
  }

  @Test
  void aPathsListThatLeavesOutARecordedFileDoesNotHideItsDamage() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("r1").file("a", "1").file("b", "2"));
    sh("cd \"$1/releases/r1\" && echo 'f a' > release.paths && rm b", d.root());

    assertThatThrownBy(() -> d.verify("r1")).isInstanceOf(ReleaseIntegrityException.class)
        .hasMessageContaining("b is missing");
  }

  @Test
  void aPathsListAndManifestThatNameAFileOutsideTheReleaseAreNotTrusted() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("r1").file("v", "1"));
    sh("cd \"$1/releases/r1\" && sed 's#\"v\"#\"../../../../etc/hostname\"#' release.json > m && mv m release.json"
        + " && echo 'f ../../../../etc/hostname' > release.paths", d.root());

    assertThatThrownBy(() -> d.verify("r1")).isInstanceOf(ReleaseIntegrityException.class)
        .hasMessageContaining("not a path inside the release");
  }

  @Test
  void namesWithSpacesBackslashesAndNonAsciiAreHashedOnTheHost() {
    ReleaseDirectory d = dir();
    sh("mkdir -p \"$1/shared/conf dir\" && echo x > \"$1/shared/conf dir/.env\"", d.root());
    d.deploy(ReleaseSpec.withId("r1").file("dir with space/a\\b.txt", "1").file("ünïcødé.txt", "2")
        .file("sub/-dash", "3").sharedLink("conf dir/.env"));
    AtomicInteger commands = new AtomicInteger();

    assertThat(ReleaseDirectory.at(counting(commands), d.root()).verify("r1").id()).isEqualTo("r1");
    assertThat(commands.get()).isEqualTo(1);

    sh("echo 9 > \"$1/releases/r1/dir with space/a\\b.txt\" && rm \"$1/shared/conf dir/.env\"", d.root());
    assertThatThrownBy(() -> d.verify("r1")).isInstanceOf(ReleaseIntegrityException.class)
        .hasMessageContaining("dir with space/a\\b.txt differs from what was deployed")
        .hasMessageContaining("shared link conf dir/.env does not resolve");
  }

  @Test
  void aCurrentLinkThatIsAbsoluteDanglingOrOutsideIsReadAsWrittenNotGuessed() {
    ReleaseDirectory d = dir();
    d.deploy(ReleaseSpec.withId("r1").file("v", "1"));
    d.deploy(ReleaseSpec.withId("r2").file("v", "2"));
    d.deploy(ReleaseSpec.withId("r3").file("v", "3"));

    sh("cd \"$1\" && ln -sfn \"$1/releases/r3\" current", d.root());
    assertThat(rollBack(executor(), d.root()).outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(d.currentId()).contains("r2");

    // a current whose release was deleted by hand: the one before it in id order is still the previous
    sh("cd \"$1\" && ln -sfn releases/r9 current", d.root());
    RollbackReport dangling = rollBack(executor(), d.root());
    assertThat(dangling.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(d.currentId()).contains("r3");

    sh("mkdir -p \"$1/elsewhere\" && cd \"$1\" && ln -sfn elsewhere current", d.root());
    RollbackReport outside = rollBack(executor(), d.root());
    assertThat(outside.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(outside.failure()).contains("current points at 'elsewhere', not at a release");
  }

  RollbackReport rollBack(Executor through, String root) {
    return run(SymlinkRollback.of(ReleaseDirectory.at(through, root)));
  }

  RollbackReport rollBackUnrecorded(Executor through, String root) {
    return run(SymlinkRollback.of(ReleaseDirectory.at(through, root)).allowUnrecordedReleases());
  }

  private RollbackReport run(SymlinkRollback step) {
    return RollbackPlan.builder("count").step(step)
        .lock(TargetLock.inDirectory(Path.of(System.getProperty("java.io.tmpdir"), "rollback-test-locks")))
        .journal(Journal.none()).build().run();
  }

  Executor counting(AtomicInteger commands) {
    return new Executor() {
      @Override
      public ExecResult run(Command command) {
        commands.incrementAndGet();
        return executor().run(command);
      }

      @Override
      public String describe() {
        return executor().describe();
      }
    };
  }
}
