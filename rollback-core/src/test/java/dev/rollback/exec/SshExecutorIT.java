package dev.rollback.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.rollback.testing.TestEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SshExecutor} against the real OpenSSH server that {@code scripts/test-env.sh} starts on loopback. Because
 * the server runs on this machine, the tests look at its processes directly in {@code /proc}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SshExecutorIT {
  private static TestEnvironment env;
  private static SshOptions options;
  private static SshExecutor ssh;

  @BeforeAll
  static void connect() {
    env = TestEnvironment.load()
        .requireServer("OpenSSH", "ssh.host", "ssh.port", "ssh.user", "ssh.key", "ssh.known_hosts");
    options = SshOptions.defaults()
        .withHost(env.get("ssh.host"))
        .withPort(env.port("ssh.port"))
        .withUser(env.get("ssh.user"))
        .withIdentityFile(env.path("ssh.key"))
        .withKnownHosts(env.path("ssh.known_hosts"));
    ssh = SshExecutor.connect(options);
  }

  @AfterAll
  static void close() {
    if (ssh != null) {
      ssh.close();
    }
  }

  @Test
  void describesItselfAsUserAtHostAndPort() {
    assertThat(ssh.describe()).isEqualTo("ssh " + env.get("ssh.user") + "@" + env.get("ssh.host") + ":"
        + env.port("ssh.port"));
  }

  @Test
  void connectsFromAUserAtHostColonPortString() {
    String target = env.get("ssh.user") + "@" + env.get("ssh.host") + ":" + env.port("ssh.port");
    try (SshExecutor other = SshExecutor.connect(target, SshOptions.defaults()
        .withIdentityFile(env.path("ssh.key")).withKnownHosts(env.path("ssh.known_hosts")))) {
      assertThat(other.run(Command.of("id", "-un")).requireSuccess().stdoutTrimmed())
          .isEqualTo(env.get("ssh.user"));
    }
  }

  @Test
  void nastyArgumentsArriveByteForByte() {
    List<String> argv = new ArrayList<>(List.of("printf", "%s\\0"));
    argv.addAll(NastyArgs.ARGS);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExecResult r = ssh.run(Command.of(argv).withStdout(out));
    assertThat(r.exitCode()).isZero();
    assertThat(out.toByteArray()).isEqualTo(NastyArgs.nulSeparated(NastyArgs.ARGS));
    // and through a shell's "$@", the form scripts use
    List<String> viaShell = new ArrayList<>(List.of("sh", "-c", "printf '%s\\0' \"$@\"", "sh"));
    viaShell.addAll(NastyArgs.ARGS);
    ByteArrayOutputStream out2 = new ByteArrayOutputStream();
    ssh.run(Command.of(viaShell).withStdout(out2)).requireSuccess();
    assertThat(out2.toByteArray()).isEqualTo(NastyArgs.nulSeparated(NastyArgs.ARGS));
  }

  @Test
  void streams200MiBThroughCatAndBackInAJvmWith64MiBOfHeap() throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", cp,
        StreamThroughCat.class.getName(), env.get("ssh.host"), String.valueOf(env.port("ssh.port")),
        env.get("ssh.user"), env.get("ssh.key"), env.get("ssh.known_hosts"), "200");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("OK sent=209715200 received=209715200");
    long heap = Long.parseLong(output.replaceAll("(?s).*maxHeapMiB=(\\d+).*", "$1"));
    assertThat(heap).isLessThanOrEqualTo(64);
  }

  @Test
  void refusesAHostWhoseKeyIsNotInKnownHosts(@TempDir Path tmp) throws IOException {
    // The same keys, recorded for another host name only: nothing vouches for this host.
    Path knownHosts = tmp.resolve("known_hosts");
    Files.writeString(knownHosts, serverKeyLines().stream()
        .map(l -> "[some-other-host]:" + env.port("ssh.port") + " " + l.split(" ", 2)[1])
        .collect(Collectors.joining("\n", "", "\n")));
    assertThatThrownBy(() -> SshExecutor.connect(options.withKnownHosts(knownHosts)))
        .isInstanceOfSatisfying(HostKeyRejectedException.class, e -> {
          assertThat(e.changed()).isFalse();
          assertThat(e.host()).isEqualTo(env.get("ssh.host"));
          assertThat(e.port()).isEqualTo(env.port("ssh.port"));
          assertThat(e.knownHosts()).isEqualTo(knownHosts);
          assertThat(serverFingerprints()).contains(e.fingerprint().split(" ")[1]);
          assertThat(e.getMessage())
              .contains(env.get("ssh.host") + ":" + env.port("ssh.port"))
              .contains("is not in known_hosts " + knownHosts)
              .contains(e.fingerprint())
              .contains("[" + env.get("ssh.host") + "]:" + env.port("ssh.port"));
        });
  }

  @Test
  void refusesWhenTheKnownHostsFileIsMissingAndSaysSo(@TempDir Path tmp) {
    Path missing = tmp.resolve("nowhere/known_hosts");
    assertThatThrownBy(() -> SshExecutor.connect(options.withKnownHosts(missing)))
        .isInstanceOf(HostKeyRejectedException.class)
        .hasMessageContaining("is not in known_hosts " + missing)
        .hasMessageContaining("does not exist");
  }

  @Test
  void refusesAHostWhoseKeyChanged(@TempDir Path tmp) throws Exception {
    // known_hosts records a different, valid ed25519 key for [host]:port, as after a reinstall or under attack.
    Path impostor = sshKeygen(tmp.resolve("impostor"));
    String pub = Files.readString(Path.of(impostor + ".pub")).trim();
    Path knownHosts = tmp.resolve("known_hosts");
    String entry = "[" + env.get("ssh.host") + "]:" + env.port("ssh.port");
    Files.writeString(knownHosts, entry + " " + pub.split(" ")[0] + " " + pub.split(" ")[1] + "\n");
    assertThatThrownBy(() -> SshExecutor.connect(options.withKnownHosts(knownHosts)))
        .isInstanceOfSatisfying(HostKeyRejectedException.class, e -> {
          assertThat(e.changed()).isTrue();
          assertThat(e.fingerprint()).startsWith("ssh-ed25519 SHA256:");
          assertThat(serverFingerprints()).contains(e.fingerprint().split(" ")[1]);
          assertThat(e.getMessage())
              .contains("host key of " + env.get("ssh.host") + ":" + env.port("ssh.port") + " has CHANGED")
              .contains(e.fingerprint())
              .contains(knownHosts.toString())
              .contains(entry);
        });
  }

  @Test
  void skipsMalformedKnownHostsLinesLikeOpenSshDoes(@TempDir Path tmp) throws IOException {
    // An RSA key whose modulus is even makes sshj's parser throw; OpenSSH just ignores such a line.
    String entry = "[" + env.get("ssh.host") + "]:" + env.port("ssh.port");
    StringBuilder sb = new StringBuilder("garbage line without a key\n");
    for (String line : serverKeyLines()) {
      String[] f = line.split(" ");
      if (f[1].equals("ssh-rsa")) {
        byte[] blob = Base64.getDecoder().decode(f[2]);
        blob[blob.length - 1] &= (byte) 0xfe;
        sb.append("other.example ssh-rsa ").append(Base64.getEncoder().encodeToString(blob)).append('\n');
      }
    }
    sb.append(String.join("\n", serverKeyLines())).append('\n');
    Path knownHosts = tmp.resolve("known_hosts");
    Files.writeString(knownHosts, sb.toString());
    try (SshExecutor other = SshExecutor.connect(options.withKnownHosts(knownHosts))) {
      assertThat(other.run(Command.of("true")).exitCode()).isZero();
    }
    // the host's own entry unreadable and no other: refused, and the message says a line of it was skipped
    // (lines naming other hosts are not read at all)
    Files.writeString(knownHosts, sb.toString().replace(entry + " ", "[elsewhere]:1 ")
        .replace("other.example ", entry + " "));
    assertThatThrownBy(() -> SshExecutor.connect(options.withKnownHosts(knownHosts)))
        .isInstanceOf(HostKeyRejectedException.class)
        .hasMessageContaining("unreadable line(s) of it were skipped");
  }

  @Test
  void connectionFailureNamesHostAndPort() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    assertThatThrownBy(() -> SshExecutor.connect(options.withPort(closedPort)))
        .isInstanceOf(ExecException.class)
        .hasMessageContaining("127.0.0.1:" + closedPort);
  }

  @Test
  void authenticationFailureSaysWhatWasTriedAndWhatTheServerAccepts(@TempDir Path tmp) throws Exception {
    Path key = sshKeygen(tmp.resolve("stranger"));
    SshOptions stranger = SshOptions.defaults().withHost(env.get("ssh.host")).withPort(env.port("ssh.port"))
        .withUser(env.get("ssh.user")).withIdentityFile(key).withKnownHosts(env.path("ssh.known_hosts"));
    assertThatThrownBy(() -> SshExecutor.connect(stranger))
        .isInstanceOf(ExecException.class)
        .isNotInstanceOf(HostKeyRejectedException.class)
        .hasMessageContaining("authentication as " + env.get("ssh.user") + "@" + env.get("ssh.host") + ":"
            + env.port("ssh.port") + " failed")
        .hasMessageContaining(key.toString())
        .hasMessageContaining("publickey");
  }

  @Test
  void exitCodesAndDeathBySignalAreToldApart() {
    assertThat(ssh.run(Command.of("true")).exitCode()).isZero();
    assertThat(ssh.run(Command.of("sh", "-c", "exit 3")).exitCode()).isEqualTo(3);
    ExecResult e255 = ssh.run(Command.of("sh", "-c", "exit 255"));
    assertThat(e255.exitCode()).isEqualTo(255);
    assertThat(e255.signal()).isNull();

    ExecResult term = ssh.run(Command.of("sh", "-c", "kill -TERM $$"));
    assertThat(term.exitCode()).isEqualTo(-1);
    assertThat(term.signal()).isEqualTo("TERM");
    assertThat(term.succeeded()).isFalse();
    assertThat(term.timedOut()).isFalse();
    assertThat(term.describeEnd()).isEqualTo("killed by signal TERM");

    ExecResult kill = ssh.run(Command.of("sh", "-c", "kill -KILL $$"));
    assertThat(kill.exitCode()).isEqualTo(-1);
    assertThat(kill.signal()).isEqualTo("KILL");
  }

  @Test
  void timeoutKillsTheRemoteCommandAndItsChildren() throws Exception {
    // Unique durations, so the processes can be found among this machine's processes.
    String tag = "29." + (System.nanoTime() % 1_000_000);
    // 3 s, not 1 s: on a loaded machine a scan of /proc could miss a sleep that lived only one second
    Command cmd = Command.of("sh", "-c", "sleep " + tag + "; echo never").withTimeout(Duration.ofSeconds(3));
    CompletableFuture<ExecResult> run = CompletableFuture.supplyAsync(() -> ssh.run(cmd));
    byte[] sleepArgv = ("sleep\0" + tag + "\0").getBytes(StandardCharsets.UTF_8);
    poll(Duration.ofSeconds(10), () -> !processesWithArgv(sleepArgv).isEmpty(), "remote sleep to start");

    ExecResult r = run.get(15, TimeUnit.SECONDS);
    assertThat(r.timedOut()).isTrue();
    assertThat(r.exitCode()).isEqualTo(-1);
    assertThat(r.succeeded()).isFalse();
    assertThat(r.duration()).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(12));
    assertThat(r.stdout()).doesNotContain("never");
    poll(Duration.ofSeconds(5), () -> processesWithArgv(sleepArgv).isEmpty()
        && processesContaining("sleep " + tag).isEmpty(), "remote sh and sleep to be gone");
  }

  @Test
  void aConnectionWhoseSshdIsKilledIsReportedAsLostAndTheNextCommandReconnects() throws Exception {
    String tag = "rb-lost-" + UUID.randomUUID();
    try (SshExecutor own = SshExecutor.connect(options)) {
      CompletableFuture<Throwable> running = CompletableFuture.supplyAsync(() -> {
        try {
          own.run(Command.of("sh", "-c", "sleep 30; echo " + tag));
          return null;
        } catch (RuntimeException e) {
          return e;
        }
      });
      poll(Duration.ofSeconds(10), () -> !processesContaining("echo " + tag).isEmpty(), "the remote shell to start");
      // The per-connection sshd above the remote shell: kill it as an OOM killer or a crash would.
      String shell = processesContaining("echo " + tag).iterator().next();
      ProcessHandle p = ProcessHandle.of(Long.parseLong(shell)).orElseThrow();
      ProcessHandle sshd = null;
      for (ProcessHandle h = p; h != null; h = h.parent().orElse(null)) {
        String cmd = h.info().command().orElse("");
        if (cmd.endsWith("sshd")) {
          sshd = h;
          break;
        }
      }
      assertThat(sshd).as("the sshd serving the connection").isNotNull();
      sshd.destroyForcibly();

      Throwable failure = running.get(20, TimeUnit.SECONDS);
      assertThat(failure).isInstanceOf(ExecException.class);
      assertThat(failure.getMessage()).contains("the SSH connection was lost")
          .contains("whether the command finished on the host is unknown");
      assertThat(own.run(Command.of("echo", "again")).requireSuccess().stdoutTrimmed()).isEqualTo("again");
    } finally {
      for (String pid : processesContaining("echo " + tag)) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Test
  void defaultCommandTimeoutFromOptionsApplies() {
    try (SshExecutor withDefault = SshExecutor.connect(options.withCommandTimeout(Duration.ofMillis(500)))) {
      ExecResult r = withDefault.run(Command.of("sleep", "20"));
      assertThat(r.timedOut()).isTrue();
      assertThat(r.duration()).isLessThan(Duration.ofSeconds(10));
      // the command's own timeout wins over the default
      assertThat(withDefault.run(Command.of("sh", "-c", "sleep 1; echo slept").withTimeout(Duration.ofSeconds(20)))
          .requireSuccess().stdoutTrimmed()).isEqualTo("slept");
    }
  }

  @Test
  void secretsNeverAppearInAnyProcessArgvButReachTheEnvironment() throws Exception {
    // The scan looks for the unique core: any quoting or escaping of the whole value still shows it verbatim.
    String core = "tok" + UUID.randomUUID().toString().replace("-", "");
    String secret = core + " with 'quotes' \"and\" $(id) spaces";
    String tag = "rb-secret-test-" + UUID.randomUUID();
    byte[] secretBytes = secret.getBytes(StandardCharsets.UTF_8);
    byte[] coreBytes = core.getBytes(StandardCharsets.UTF_8);
    // Scan every process's argv on this machine (the server is local) from before the command starts until it ends.
    AtomicBoolean scanning = new AtomicBoolean(true);
    Set<String> leaks = ConcurrentHashMap.newKeySet();
    CompletableFuture<Integer> scanner = CompletableFuture.supplyAsync(() -> {
      int scans = 0;
      while (scanning.get()) {
        leaks.addAll(processesWithArgvContaining(coreBytes));
        scans++;
      }
      return scans;
    });
    // The remote command waits for its stdin to close, so the scan sees it running without a fixed sleep.
    PipedOutputStream feed = new PipedOutputStream();
    PipedInputStream stdin = new PipedInputStream(feed);
    String script = "printf %s \"$TOKEN\" | sha256sum; printenv TOKEN; cat >/dev/null; echo \"$TOKEN\" >&2";
    Command cmd = Command.of("sh", "-c", script, tag)
        .withEnv("TOKEN", Secret.of(secret))
        .withStdin(() -> stdin, "pipe");
    CompletableFuture<ExecResult> run = CompletableFuture.supplyAsync(() -> ssh.run(cmd));
    // The exact argv of the exec'd sh (before exec, the same PID is the login shell, without TOKEN yet).
    byte[] shArgv = ("sh\0-c\0" + script + "\0" + tag + "\0").getBytes(StandardCharsets.UTF_8);
    poll(Duration.ofSeconds(10), () -> !processesWithArgv(shArgv).isEmpty(), "remote sh to start");
    String remotePid = processesWithArgv(shArgv).iterator().next();
    byte[] environ = Files.readAllBytes(Path.of("/proc", remotePid, "environ"));
    assertThat(new String(environ, StandardCharsets.UTF_8).split("\0")).contains("TOKEN=" + secret);
    feed.close();
    ExecResult r = run.get(30, TimeUnit.SECONDS);
    scanning.set(false);
    assertThat(scanner.get(10, TimeUnit.SECONDS)).isPositive();

    assertThat(leaks).as("processes whose argv held the secret").isEmpty();
    assertThat(r.exitCode()).isZero();
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secretBytes));
    assertThat(r.stdout()).isEqualTo(sha + "  -\n***\n");
    assertThat(r.stderr()).isEqualTo("***\n");
    assertThat(r.command()).contains("TOKEN=***").doesNotContain(secret);
  }

  @Test
  void secretPreambleLeavesTheCommandsOwnStdinIntact() {
    byte[] input = new byte[300_000];
    new java.util.Random(7).nextBytes(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ExecResult r = ssh.run(Command.of("cat").withEnv("A", Secret.of("first secret"))
        .withEnv("B", Secret.of("second")).withStdin(input).withStdout(out));
    assertThat(r.exitCode()).isZero();
    assertThat(out.toByteArray()).isEqualTo(input);
  }

  @Test
  void secretsAreMaskedInFailures() {
    ExecResult r = ssh.run(Command.of("sh", "-c", "echo \"auth failed for $PGPASSWORD\" >&2; exit 2")
        .withEnv("PGPASSWORD", Secret.of("pa55-w0rd-x")));
    assertThat(r.stderr()).isEqualTo("auth failed for ***\n");
    assertThatThrownBy(r::requireSuccess)
        .isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("exit 2")
        .hasMessageContaining("auth failed for ***")
        .hasMessageNotContaining("pa55-w0rd-x");
  }

  @Test
  void rejectsASecretWithANewlineBeforeRunningAnything() {
    assertThatThrownBy(() -> ssh.run(Command.of("true").withEnv("KEY", Secret.of("a\nb"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KEY");
  }

  @Test
  void oneConnectionServesManyCommandsSequentiallyAndConcurrently() throws Exception {
    // $SSH_CLIENT names the client's source port: one value means one TCP connection.
    Command whoAmI = Command.of("sh", "-c", "echo \"$SSH_CLIENT\"");
    Set<String> clients = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 50; i++) {
      clients.add(ssh.run(whoAmI).requireSuccess().stdoutTrimmed());
    }
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Future<ExecResult>> results = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        results.add(pool.submit(() -> ssh.run(Command.of("sh", "-c", "sleep 0.2; echo \"$SSH_CLIENT\"; echo " + n))));
      }
      for (int i = 0; i < 20; i++) {
        ExecResult r = results.get(i).get(60, TimeUnit.SECONDS).requireSuccess();
        String[] lines = r.stdout().split("\n");
        clients.add(lines[0]);
        assertThat(lines[1]).isEqualTo(String.valueOf(i));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(clients).hasSize(1);
    assertThat(clients.iterator().next()).matches("\\S+ \\d+ " + env.port("ssh.port"));
  }

  @Test
  void nonZeroExitKeepsStdoutAndStderrApart() {
    ExecResult r = ssh.run(Command.of("sh", "-c", "echo out; echo 'boom: disk full' >&2; exit 7"));
    assertThat(r.exitCode()).isEqualTo(7);
    assertThat(r.stdout()).isEqualTo("out\n");
    assertThat(r.stderr()).isEqualTo("boom: disk full\n");
    assertThatThrownBy(r::requireSuccess).isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("exit 7").hasMessageContaining("boom: disk full");
  }

  @Test
  void runsInAWorkingDirectoryWithSpaces() {
    String dir = "/tmp/rollback-it " + UUID.randomUUID() + "/dir with 'spaces'";
    ssh.run(Command.of("mkdir", "-p", dir)).requireSuccess();
    try {
      assertThat(ssh.run(Command.of("pwd").withWorkingDir(dir)).requireSuccess().stdoutTrimmed()).isEqualTo(dir);
      ExecResult missing = ssh.run(Command.of("pwd").withWorkingDir(dir + "/missing"));
      assertThat(missing.exitCode()).isNotZero();
      assertThat(missing.stderr()).contains("missing");
    } finally {
      ssh.run(Command.of("rm", "-rf", dir.substring(0, dir.indexOf("/dir with")))).requireSuccess();
    }
  }

  @Test
  void plainEnvironmentVariablesKeepQuotesAndDollars() {
    String value = "it's \"quoted\" $HOME `id` \\ end";
    ExecResult r = ssh.run(Command.of("printenv", "GREETING").withEnv("GREETING", value)).requireSuccess();
    assertThat(r.stdout()).isEqualTo(value + "\n");
  }

  @Test
  void capturesUpToTheLimitAndSaysItTruncated() {
    ExecResult r = ssh.run(Command.of("head", "-c", "3000000", "/dev/zero").withCaptureLimit(1000));
    assertThat(r.exitCode()).isZero();
    assertThat(r.truncated()).isTrue();
    assertThat(r.stdout()).hasSize(1000);
  }

  @Test
  void aFailingStdinSourceKillsTheCommandInsteadOfEndingItsInput() {
    String done = "/tmp/rollback-it-" + UUID.randomUUID() + ".done";
    java.io.InputStream failing = new java.io.InputStream() {
      private int sent;

      @Override
      public int read() throws IOException {
        if (sent++ < 100_000) {
          return 'x';
        }
        throw new IOException("disk read error at byte 100000");
      }
    };
    Command cmd = Command.of("sh", "-c", "cat >/dev/null && touch '" + done + "'").withStdin(() -> failing, "backup");
    assertThatThrownBy(() -> ssh.run(cmd))
        .isInstanceOf(ExecException.class)
        .hasMessageContaining("stdin of")
        .hasMessageContaining("(backup) failed: disk read error at byte 100000")
        .hasMessageContaining("killed");
    assertThat(ssh.run(Command.of("test", "-e", done)).exitCode()).as("the command went on as if input were whole")
        .isEqualTo(1);
  }

  @Test
  void reconnectsOnTheNextCommandAfterTheConnectionWasLost() {
    try (SshExecutor own = SshExecutor.connect(options)) {
      Command whoAmI = Command.of("sh", "-c", "echo \"$SSH_CLIENT\"");
      String before = own.run(whoAmI).requireSuccess().stdoutTrimmed();
      // The command's parent is the sshd process serving this connection: killing it drops the connection.
      assertThatThrownBy(() -> own.run(Command.of("sh", "-c", "kill -KILL $PPID; sleep 5")))
          .isInstanceOf(ExecException.class)
          .hasMessageContaining(own.describe());
      String after = own.run(whoAmI).requireSuccess().stdoutTrimmed();
      assertThat(after).isNotEqualTo(before);
    }
  }

  @Test
  void aClosedExecutorRefusesToRun() {
    SshExecutor other = SshExecutor.connect(options);
    other.close();
    assertThatThrownBy(() -> other.run(Command.of("true")))
        .isInstanceOf(ExecException.class)
        .hasMessageContaining("closed");
  }

  // --- this machine's processes (the server is on loopback) ---

  private static Path sshKeygen(Path key) throws Exception {
    Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rollback-it", "-f",
        key.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return key;
  }

  private static List<String> serverKeyLines() throws IOException {
    String entry = "[" + env.get("ssh.host") + "]:" + env.port("ssh.port");
    return Files.readAllLines(env.path("ssh.known_hosts")).stream()
        .filter(l -> l.startsWith(entry + " "))
        .collect(Collectors.toList());
  }

  private static Set<String> serverFingerprints() {
    try {
      Set<String> fps = new java.util.HashSet<>();
      for (String line : serverKeyLines()) {
        byte[] blob = Base64.getDecoder().decode(line.split(" ")[2]);
        fps.add("SHA256:" + Base64.getEncoder().withoutPadding()
            .encodeToString(MessageDigest.getInstance("SHA-256").digest(blob)));
      }
      assertThat(fps).isNotEmpty();
      return fps;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** PIDs whose argv (NUL-separated) contains the bytes. */
  private static Set<String> processesWithArgvContaining(byte[] needle) {
    Set<String> hits = new java.util.HashSet<>();
    try (var dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path d : dirs) {
        byte[] cmdline;
        try {
          cmdline = Files.readAllBytes(d.resolve("cmdline"));
        } catch (IOException gone) {
          continue;
        }
        if (indexOf(cmdline, needle) >= 0) {
          hits.add(d.getFileName().toString());
        }
      }
    } catch (IOException e) {
      throw new AssertionError("cannot list /proc", e);
    }
    return hits;
  }

  private static Set<String> processesWithArgv(byte[] exactArgv) {
    Set<String> hits = new java.util.HashSet<>();
    for (String pid : processesWithArgvContaining(exactArgv)) {
      try {
        if (java.util.Arrays.equals(Files.readAllBytes(Path.of("/proc", pid, "cmdline")), exactArgv)) {
          hits.add(pid);
        }
      } catch (IOException gone) {
        // exited meanwhile
      }
    }
    return hits;
  }

  private static Set<String> processesContaining(String text) {
    return processesWithArgvContaining(text.getBytes(StandardCharsets.UTF_8));
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (hay[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void poll(Duration max, BooleanSupplier condition, String what) throws InterruptedException {
    long until = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        fail("gave up after " + max.toMillis() + " ms waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
