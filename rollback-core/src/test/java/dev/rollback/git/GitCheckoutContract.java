package dev.rollback.git;

import dev.rollback.verify.CheckResult;

import dev.rollback.verify.Check;

import dev.rollback.RollbackContext;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.Command;
import dev.rollback.exec.Executor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.CommandCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Git rollback behaviour on a real repository, through whichever executor a subclass gives. */
abstract class GitCheckoutContract {
  @TempDir
  Path tmp;

  abstract Executor executor();

  /** @return a fresh directory reachable through the executor */
  abstract String freshDir();

  String repo;
  String c1;
  String c2;
  String c3;

  void sh(String script, String... args) {
    String[] argv = new String[args.length + 3];
    argv[0] = "-c";
    argv[1] = script;
    argv[2] = "sh";
    System.arraycopy(args, 0, argv, 3, args.length);
    executor().run(Command.of("sh", argv)).requireSuccess();
  }

  GitWorkingCopy threeCommits() {
    repo = freshDir();
    sh("set -e; mkdir -p \"$1\"; cd \"$1\"; git init -q -b main; git config user.email t@example.com;"
        + " git config user.name t; echo v1 > version; git add version; git commit -qm one; git tag last-good;"
        + " echo v2 > version; git commit -qam two; echo v3 > version; git commit -qam three", repo);
    GitWorkingCopy wc = GitWorkingCopy.at(executor(), repo);
    c3 = wc.head();
    c2 = wc.resolve("HEAD~1");
    c1 = wc.resolve("last-good");
    return wc;
  }

  RollbackPlan.Builder plan(GitCheckoutRollback s) {
    return RollbackPlan.builder("web").lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl"))).step(s);
  }

  VerificationChain versionIs(String v) {
    return VerificationChain.of(CommandCheck.of(executor(), Command.of("cat", repo + "/version"))
        .outputContains(v)).retry(Retry.once());
  }

  @Test
  void checksOutTheLastGoodTagDetachedRunsTheRebuildAndReturnsToMainAfterTheFix() {
    GitWorkingCopy wc = threeCommits();
    GitCheckoutRollback s = GitCheckoutRollback.of(wc).to("last-good")
        .thenRun(Command.of("sh", "-c", "cp version built"));

    RollbackReport r = plan(s).verify(versionIs("v1")).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(wc.head()).isEqualTo(c1);
    assertThat(wc.branch()).isEmpty();
    sh("grep -qx v1 \"$1/built\"", repo);
    assertThat(r.steps().get(0).checkpoint()).isEqualTo("branch main at " + c3);

    s.returnTo("main");
    assertThat(wc.branch()).contains("main");
    assertThat(wc.head()).isEqualTo(c3);
    sh("grep -qx v3 \"$1/built\"", repo);
  }

  @Test
  void putsTheBranchBackWhenTheOldCommitFailsVerification() {
    GitWorkingCopy wc = threeCommits();
    RollbackReport r = plan(GitCheckoutRollback.of(wc).back(1)).verify(versionIs("v-none"))
        .verifyAfterRestore(versionIs("v3")).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.RESTORED);
    assertThat(wc.branch()).contains("main");
    assertThat(wc.head()).isEqualTo(c3);
  }

  @Test
  void aCheckoutBackThatGitRefusesSaysWhereTheWorkingCopyIsAndTheCommandThatPutsItBack() {
    GitWorkingCopy wc = threeCommits();
    // While the plan verifies, someone edits a tracked file: git then refuses to check the branch out again.
    Check editsVersion = new Check() {
      @Override
      public String describe() {
        return "someone edits version";
      }

      @Override
      public CheckResult check(RollbackContext ctx) {
        sh("cd \"$1\" && echo hotfix >> version", repo);
        return CheckResult.fail("v2 is broken too");
      }
    };

    RollbackReport r = plan(GitCheckoutRollback.of(wc).back(1)).verify(VerificationChain.of(editsVersion)
        .retry(Retry.once())).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
    assertThat(r.actionsRequired()).singleElement().asString().startsWith("step 1 (" + r.steps().get(0).description()
        + "): the working copy " + wc.describe() + " is still on the commit the rollback checked out; before it,"
        + " it was on branch main at " + c3 + ". Do: git -C " + repo + " checkout main (the restore stopped on: ");
  }

  @Test
  void refusesAWorkingCopyWithUncommittedChangesAndNamesTheFiles() {
    GitWorkingCopy wc = threeCommits();
    sh("cd \"$1\" && echo hotfix >> version && echo scratch > untracked.txt", repo);

    RollbackReport r = plan(GitCheckoutRollback.of(wc).to(c2)).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("uncommitted changes").contains("version").doesNotContain("untracked.txt");
    assertThat(wc.head()).isEqualTo(c3);
    assertThat(wc.branch()).contains("main");
  }

  @Test
  void anUnknownRefIsRefusedWithTheLatestCommitsListed() {
    GitWorkingCopy wc = threeCommits();
    RollbackReport r = plan(GitCheckoutRollback.of(wc).to("no-such-tag")).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("'no-such-tag' is not a commit").contains("three").contains("one");
  }

  @Test
  void previewResolvesTheCommitAndChangesNothing() {
    GitWorkingCopy wc = threeCommits();
    var p = plan(GitCheckoutRollback.of(wc).to("last-good")).build().preview();

    assertThat(p.wouldProceed()).isTrue();
    assertThat(p.steps().get(0).actions()).first().asString().contains(c1);
    assertThat(p.steps().get(0).actions()).anySatisfy(a -> assertThat(a).contains("checkout --quiet --detach " + c1));
    assertThat(wc.head()).isEqualTo(c3);
  }
}
