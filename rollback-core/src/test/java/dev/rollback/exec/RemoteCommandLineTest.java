package dev.rollback.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The remote command line, checked as text and by handing it to real local POSIX shells the way sshd does
 * ({@code $SHELL -c LINE}, the secret preamble then stdin on the process's stdin).
 */
class RemoteCommandLineTest {
  private static final String MARKER = "rollback-pid-00ff";

  @Test
  void quotesEveryArgumentAndExecsTheProgram() {
    String line = RemoteCommandLine.of(Command.of("printf", "%s\\0", "a b", "it's"), null);
    assertThat(line).isEqualTo("exec 'printf' '%s\\0' 'a b' 'it'\\''s'");
  }

  @Test
  void changesIntoTheWorkingDirectoryFirst() {
    String line = RemoteCommandLine.of(Command.of("pwd").withWorkingDir("/srv/my app"), null);
    assertThat(line).isEqualTo("cd -- '/srv/my app' && exec 'pwd'");
  }

  @Test
  void exportsPlainVariablesWithQuotedValues() {
    String line = RemoteCommandLine.of(Command.of("env").withEnv("GREETING", "it's \"$HOME\""), null);
    assertThat(line).isEqualTo("export GREETING='it'\\''s \"$HOME\"' && exec 'env'");
  }

  @Test
  void keepsSecretValuesOffTheLineAndSendsThemAsStdinLines() {
    Command c = Command.of("deploy").withEnv("TOKEN", Secret.of("s3cr3t-value")).withEnv("KEY", Secret.of("k€y"));
    String line = RemoteCommandLine.of(c, MARKER);
    assertThat(line).doesNotContain("s3cr3t-value").doesNotContain("k€y");
    assertThat(line).contains("IFS= read -r __rb_s && export TOKEN=\"$__rb_s\"")
        .contains("IFS= read -r __rb_s && export KEY=\"$__rb_s\"")
        .contains("unset __rb_s");
    assertThat(new String(RemoteCommandLine.secretPreamble(c), StandardCharsets.UTF_8))
        .isEqualTo("s3cr3t-value\nk€y\n");
  }

  @Test
  void rejectsSecretsThatOneLineCannotCarryWithoutNamingTheValue() {
    Command newline = Command.of("x").withEnv("PEM", Secret.of("line1\nline2-hidden"));
    assertThatThrownBy(() -> RemoteCommandLine.secretPreamble(newline))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PEM")
        .hasMessageNotContaining("line2-hidden");
    Command nul = Command.of("x").withEnv("BIN", Secret.of("a\0b"));
    assertThatThrownBy(() -> RemoteCommandLine.secretPreamble(nul)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void commandWithoutSecretsHasNoPreamble() {
    assertThat(RemoteCommandLine.secretPreamble(Command.of("true").withEnv("A", "b"))).isEmpty();
  }

  @Test
  void rejectsAMarkerTheShellWouldInterpret() {
    assertThatThrownBy(() -> RemoteCommandLine.of(Command.of("true"), "x; rm -rf /"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sh", "bash", "dash"})
  void nastyArgvSurvivesARealShellByteForByte(String shell) throws Exception {
    Shell sh = Shell.find(shell);
    List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
    argv.addAll(NastyArgs.ARGS);
    Run r = sh.run(RemoteCommandLine.of(Command.of(argv), null), new byte[0], null);
    assertThat(r.exit).isZero();
    assertThat(r.stdout).isEqualTo(NastyArgs.nulSeparated(NastyArgs.ARGS));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sh", "bash", "dash"})
  void secretsReachTheEnvironmentAndLeaveStdinIntact(String shell) throws Exception {
    Shell sh = Shell.find(shell);
    String secret = " lead & trail \\n 'q' \"d\" $x `y` café ";
    Command c = Command.of("sh", "-c", "printf '%s|' \"$TOKEN\" \"$PLAIN\" \"${__rb_s-unset}\"; cat")
        .withEnv("PLAIN", "it's plain")
        .withEnv("TOKEN", Secret.of(secret));
    byte[] stdin = "first line\nsecond\0binary\n".getBytes(StandardCharsets.UTF_8);
    Run r = sh.run(RemoteCommandLine.of(c, null), concat(RemoteCommandLine.secretPreamble(c), stdin), null);
    assertThat(r.exit).isZero();
    assertThat(r.stdout).isEqualTo(concat((secret + "|it's plain|unset|").getBytes(StandardCharsets.UTF_8), stdin));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sh", "bash"})
  void runsInTheWorkingDirectoryAndReportsThePidOfTheExecdProgram(String shell, @TempDir Path tmp)
      throws Exception {
    Shell sh = Shell.find(shell);
    Path dir = Files.createDirectories(tmp.resolve("dir with spaces & 'quotes'"));
    Command c = Command.of("sh", "-c", "pwd; echo $$").withWorkingDir(dir.toString());
    Run r = sh.run(RemoteCommandLine.of(c, MARKER), new byte[0], null);
    String[] out = new String(r.stdout, StandardCharsets.UTF_8).split("\n");
    assertThat(out[0]).isEqualTo(dir.toRealPath().toString());
    // exec replaced the shell: the PID in the marker line is the program's own
    assertThat(new String(r.stderr, StandardCharsets.UTF_8)).isEqualTo(MARKER + " " + out[1] + "\n");
  }

  @Test
  void failsWithTheShellsStatusWhenTheWorkingDirectoryIsMissing() throws Exception {
    Run r = Shell.find("sh").run(RemoteCommandLine.of(Command.of("true").withWorkingDir("/nonexistent dir"), null),
        new byte[0], null);
    assertThat(r.exit).isNotZero();
    assertThat(new String(r.stderr, StandardCharsets.UTF_8)).contains("nonexistent dir");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = new byte[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private record Run(int exit, byte[] stdout, byte[] stderr) {}

  private record Shell(Path path) {
    static Shell find(String name) {
      for (String dir : List.of("/bin", "/usr/bin")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return new Shell(p);
        }
      }
      org.junit.jupiter.api.Assumptions.abort(name + " is not installed");
      return null;
    }

    Run run(String line, byte[] stdin, Path dir) throws IOException, InterruptedException {
      ProcessBuilder pb = new ProcessBuilder(path.toString(), "-c", line);
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      Process p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin);
      }
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread t = new Thread(() -> {
        try (InputStream e = p.getErrorStream()) {
          e.transferTo(err);
        } catch (IOException ignored) {
          // the process is gone
        }
      });
      t.start();
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      t.join();
      return new Run(p.exitValue(), out, err.toByteArray());
    }
  }
}
