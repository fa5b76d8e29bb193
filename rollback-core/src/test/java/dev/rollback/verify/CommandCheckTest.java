package dev.rollback.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.RollbackContext;
import dev.rollback.exec.Command;
import dev.rollback.exec.DryRunExecutor;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.exec.Secret;
import dev.rollback.testing.RecordingContext;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CommandCheckTest {
  private final LocalExecutor local = LocalExecutor.create();
  private final RollbackContext ctx = RollbackContext.standalone("api");

  private static Command sh(String script) {
    return Command.of("sh", "-c", script).readOnly();
  }

  @Test
  void passesOnExitZeroAndShowsTheOutput() {
    CheckResult r = CommandCheck.of(local, sh("echo ready; exit 0")).check(ctx);

    assertThat(r.passed()).isTrue();
    assertThat(r.detail()).startsWith("exit 0 in ").endsWith("; output: \"ready\"");
  }

  @Test
  void failsOnNonZeroExitWithExitCodeOutputAndStderr() {
    CheckResult r = CommandCheck.of(local, sh("echo starting; echo 'connection refused' >&2; exit 3")).check(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("exit 3 in ").contains("expected exit 0").contains("output: \"starting\"")
        .contains("stderr: \"connection refused\"");
  }

  @Test
  void expectExitSetsTheStatusThatPasses() {
    CommandCheck check = CommandCheck.of(local, sh("exit 3")).expectExit(3);

    assertThat(check.check(ctx).passed()).isTrue();
    assertThat(CommandCheck.of(local, sh("exit 0")).expectExit(3).check(ctx).passed()).isFalse();
  }

  @Test
  void outputExpectationsLookAtStdout() {
    Command cmd = sh("echo 'state: active (running) since 10:02'");

    assertThat(CommandCheck.of(local, cmd).outputContains("active (running)").check(ctx).passed()).isTrue();
    assertThat(CommandCheck.of(local, cmd).outputMatches(Pattern.compile("since \\d+:\\d+")).check(ctx).passed())
        .isTrue();
    CheckResult missing = CommandCheck.of(local, cmd).outputContains("inactive").check(ctx);
    assertThat(missing.passed()).isFalse();
    assertThat(missing.detail()).startsWith("exit 0").contains("output does not contain \"inactive\"")
        .contains("state: active (running) since 10:02");
    CheckResult nomatch = CommandCheck.of(local, cmd).outputMatches("failed|dead").check(ctx);
    assertThat(nomatch.passed()).isFalse();
    assertThat(nomatch.detail()).contains("output does not match /failed|dead/");
  }

  @Test
  void outputIsNotMatchedAgainstStderr() {
    CheckResult r = CommandCheck.of(local, sh("echo ready >&2")).outputContains("ready").check(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).contains("no output").contains("stderr: \"ready\"");
  }

  @Test
  void longOutputIsCutToAShortExcerpt() {
    CheckResult r = CommandCheck.of(local, sh("i=0; while [ $i -lt 500 ]; do printf 'line%s ' $i; i=$((i+1)); "
        + "done")).check(ctx);

    assertThat(r.passed()).isTrue();
    String excerpt = r.detail().substring(r.detail().indexOf("output: \"") + 9, r.detail().length() - 1);
    assertThat(excerpt).hasSizeLessThanOrEqualTo(200).startsWith("line0 line1").endsWith("...");
  }

  @Test
  void runsThroughTheContextsExecutor() {
    RecordingContext recording = RecordingContext.create("api");

    CommandCheck.of(local, sh("echo ready")).check(recording);

    assertThat(recording.commands()).containsExactly("sh -c 'echo ready'");
  }

  @Test
  void aDryRunContextDecidesWhatRuns() {
    // A context whose executor wrapper is a recording dry run: the mutating command must not run for real.
    DryRunExecutor dry = DryRunExecutor.recording();
    RecordingContext preview = RecordingContext.withExecutor("api", real -> dry);

    CheckResult r = CommandCheck.of(local, Command.of("sh", "-c", "exit 7")).check(preview);

    assertThat(r.passed()).as("the dry run answers exit 0; the real command exits 7").isTrue();
    assertThat(dry.recorded()).containsExactly("dry run: sh -c 'exit 7'");
  }

  @Test
  void timesOutAndSaysSo() {
    long start = System.nanoTime();
    CheckResult r = CommandCheck.of(local, Command.of("sleep", "30")).timeout(Duration.ofMillis(300)).check(ctx);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("timed out after ").contains("expected exit 0");
    assertThat(took).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aCommandWithoutTimeoutGetsThirtySeconds() {
    assertThat(CommandCheck.of(local, sh("true")).command().timeout()).contains(Duration.ofSeconds(30));
    assertThat(CommandCheck.of(local, sh("true").withTimeout(Duration.ofSeconds(4))).command().timeout())
        .contains(Duration.ofSeconds(4));
  }

  @Test
  void aMissingProgramIsAFailedAttemptNamingIt() {
    CheckResult r = CommandCheck.of(local, Command.of("rollback-no-such-probe")).check(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("cannot run: ").contains("rollback-no-such-probe");
  }

  @Test
  void secretsAreMaskedInDetailAndDescription() {
    Command cmd = sh("echo \"token=$TOKEN\"; exit 1").withEnv("TOKEN", Secret.of("hunter2-abc"));
    CommandCheck check = CommandCheck.of(local, cmd);

    CheckResult r = check.check(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).contains("token=***").doesNotContain("hunter2");
    assertThat(check.describe()).contains("TOKEN=***").doesNotContain("hunter2");
  }

  @Test
  void describeNamesCommandExecutorAndExpectations() {
    assertThat(CommandCheck.of(local, sh("echo ready")).expectExit(0).outputContains("ready").describe())
        .isEqualTo("sh -c 'echo ready' (local) expects exit 0, output containing \"ready\"");
  }

  @Test
  void outputExpectationsNeedCapturedStdout() {
    Command streamed = sh("echo x").withStdout(new ByteArrayOutputStream());

    assertThatThrownBy(() -> CommandCheck.of(local, streamed).outputContains("x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("withStdout");
  }
}
