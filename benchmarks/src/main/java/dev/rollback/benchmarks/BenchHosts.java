package dev.rollback.benchmarks;

import dev.rollback.release.ReleaseDirectory;
import dev.rollback.release.ReleaseManifest;
import dev.rollback.release.ReleaseSpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The benchmark's own hosts: {@code host1..hostN}, each an OpenSSH server on {@code 127.0.0.1:(basePort + i)} in
 * its own mount namespace, where {@code /srv/app} is {@code <work>/hosts/hostI} of this machine (the setup of
 * shared/notes/peers.md), and root's home is the empty {@code <work>/home}: a deploy host has no developer's
 * {@code ~/.bashrc}, which bash sources for every command sshd runs (this machine's runs {@code pyenv init}, about
 * 0.4 s a command, for either tool). One host key and one client key serve every host, both RSA (3072 bits, the
 * client's in PEM: the setup of shared/notes/peers.md) or both ed25519 (ssh-keygen's default type; Debian's net-ssh
 * reads those with its recommended ruby-ed25519 and ruby-bcrypt-pbkdf installed). Needs root.
 */
final class BenchHosts implements AutoCloseable {
  static final String APP_DIR = "/srv/app";
  /** The releases every host holds, oldest first, in Capistrano's 14-digit id format; the last is current. */
  static final List<String> RELEASES = List.of("20261101090000", "20261108090000", "20261115090000");
  static final String PREVIOUS = RELEASES.get(1);
  /** Files recorded in each release (and checked by Fleet's preflight, one command each). */
  static final int FILES_PER_RELEASE = 3;

  private final Path work;
  private final int count;
  private final int basePort;
  private final boolean cleanHome;
  private final String keyType;

  private BenchHosts(Path work, int count, int basePort, boolean cleanHome, String keyType) {
    this.work = work;
    this.count = count;
    this.basePort = basePort;
    this.cleanHome = cleanHome;
    this.keyType = keyType;
  }

  /**
   * Generates keys and the release template (once per work directory), then starts every host.
   *
   * @param work the work directory
   * @param count how many hosts
   * @param basePort host i listens on basePort + i
   * @param cleanHome true for an empty /root on each host; false keeps this machine's (its ~/.bashrc included)
   * @param keyType {@code rsa} (3072 bits, PEM) or {@code ed25519}: the host key and the client key
   * @return the running hosts; close them to stop every sshd
   */
  static BenchHosts start(Path work, int count, int basePort, boolean cleanHome, String keyType)
      throws IOException, InterruptedException {
    if (!List.of("rsa", "ed25519").contains(keyType)) {
      throw new IllegalArgumentException("key type is rsa or ed25519, was " + keyType);
    }
    BenchHosts h = new BenchHosts(work, count, basePort, cleanHome, keyType);
    Files.createDirectories(work.resolve("sshd"));
    Files.createDirectories(work.resolve("home"));
    Files.createDirectories(Path.of(APP_DIR));
    h.stopStale();
    key(h.hostKey(), keyType);
    key(h.clientKey(), keyType);
    Files.writeString(work.resolve("sshd/authorized_keys"), Files.readString(Path.of(h.clientKey() + ".pub")));
    String[] pub = Files.readString(Path.of(h.hostKey() + ".pub")).split(" ");
    String hostKey = pub[0] + " " + pub[1];
    StringBuilder known = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      known.append("[127.0.0.1]:").append(h.port(i)).append(' ').append(hostKey).append('\n');
    }
    Files.writeString(h.knownHosts(), known);
    h.template();
    for (int i = 1; i <= count; i++) {
      h.startHost(i);
    }
    Instant deadline = Instant.now().plusSeconds(60);
    for (int i = 1; i <= count; i++) {
      while (!listening(h.port(i))) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("host" + i + " does not listen on 127.0.0.1:" + h.port(i) + "; see "
              + h.sshdDir(i).resolve("sshd.log"));
        }
        Thread.sleep(50);
      }
    }
    return h;
  }

  /** @return the client key both tools use (RSA in PEM, or ed25519 in OpenSSH's format) */
  Path clientKey() {
    return work.resolve("id_" + keyType);
  }

  /** @return the host key every host's sshd uses */
  Path hostKey() {
    return work.resolve("sshd/ssh_host_" + keyType + "_key");
  }

  /** @return the known_hosts file both tools use: every host's key */
  Path knownHosts() {
    return work.resolve("known_hosts_" + keyType);
  }


  /**
   * @param i the host's number, from 1
   * @return its port
   */
  int port(int i) {
    return basePort + i;
  }

  /**
   * @param n how many
   * @return host1..hostN
   */
  List<String> names(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add("host" + i);
    }
    return out;
  }

  /**
   * @param host e.g. host7
   * @return its port
   */
  int port(String host) {
    return port(Integer.parseInt(host.substring(4)));
  }

  /**
   * Puts the first {@code n} hosts' /srv/app back to the template: three releases, the newest current. Capistrano's
   * rollback deletes the release it leaves (after archiving it), so the whole layout is copied again.
   *
   * @param n how many hosts
   */
  void reset(int n) throws IOException, InterruptedException {
    List<Process> running = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      Path dir = hostDir(i);
      Files.createDirectories(dir);
      // keep the directory itself: it is bind-mounted into the host's namespace
      running.add(new ProcessBuilder("sh", "-c", "find \"$1\" -mindepth 1 -delete && cp -a \"$2\"/. \"$1\"/", "sh",
          dir.toString(), work.resolve("template").toString()).redirectErrorStream(true).start());
    }
    for (Process p : running) {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("resetting a host failed: "
            + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }

  /**
   * @param n how many hosts
   * @return the hosts among the first n whose current is not the previous release, with what it is
   */
  List<String> notRolledBack(int n) throws IOException {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      Path link = hostDir(i).resolve("current");
      String id = Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).getFileName().toString() : "(none)";
      if (!id.equals(PREVIOUS)) {
        out.add("host" + i + " current=" + id);
      }
    }
    return out;
  }

  /** Stops every host's sshd: TERM to all, then KILL to those still alive after 10 s. */
  @Override
  public void close() {
    List<Path> pidFiles = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      pidFiles.add(sshdDir(i).resolve("sshd.pid"));
    }
    stop(pidFiles);
  }

  private Path hostDir(int i) {
    return work.resolve("hosts/host" + i);
  }

  private Path sshdDir(int i) {
    return work.resolve("sshd/host" + i);
  }

  private void template() throws IOException, InterruptedException {
    Path t = work.resolve("template");
    if (Files.isRegularFile(t.resolve("current/" + ReleaseManifest.PATHS_FILE))) {
      return;
    }
    // none yet, or one laid out by an older SDK (no release.paths): start again
    deleteTree(t);
    ReleaseDirectory d = ReleaseDirectory.at(t);
    Instant mtime = Instant.now().minus(Duration.ofDays(30));
    for (String id : RELEASES) {
      // FILES_PER_RELEASE files
      d.deploy(ReleaseSpec.withId(id).file("version", id + "\n").file("config/app.yml", "release: " + id + "\n")
          .executable("bin/app", "#!/bin/sh\necho " + id + "\n"));
      // Capistrano orders releases by mtime (ls -xt): make it agree with the ids
      mtime = mtime.plus(Duration.ofDays(7));
      Files.setLastModifiedTime(t.resolve("releases/" + id), FileTime.from(mtime));
    }
    d.activate(RELEASES.get(RELEASES.size() - 1));
  }

  private void startHost(int i) throws IOException, InterruptedException {
    Path s = sshdDir(i);
    Files.createDirectories(s);
    Files.createDirectories(hostDir(i));
    Files.writeString(s.resolve("sshd_config"), String.join("\n",
        "ListenAddress 127.0.0.1",
        "Port " + port(i),
        "HostKey " + hostKey(),
        "PidFile " + s.resolve("sshd.pid"),
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PubkeyAuthentication yes",
        "AuthorizedKeysFile " + work.resolve("sshd/authorized_keys"),
        "PermitRootLogin prohibit-password",
        "StrictModes no",
        "UsePAM no",
        "MaxSessions 100",
        "MaxStartups 200:30:300",
        "X11Forwarding no",
        "PrintMotd no",
        ""));
    run(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
        "mount --bind \"$1\" \"$2\" && " + (cleanHome ? "mount --bind \"$5\" /root && " : "")
            + "exec /usr/sbin/sshd -f \"$3\" -E \"$4\"", "sh",
        hostDir(i).toString(), APP_DIR, s.resolve("sshd_config").toString(), s.resolve("sshd.log").toString(),
        work.resolve("home").toString()));
  }

  /** Stops sshd processes an earlier run of this benchmark left behind (their pid files are in this work dir). */
  private void stopStale() throws IOException {
    if (!Files.isDirectory(work.resolve("sshd"))) {
      return;
    }
    try (Stream<Path> dirs = Files.list(work.resolve("sshd"))) {
      stop(dirs.filter(Files::isDirectory).map(d -> d.resolve("sshd.pid")).toList());
    }
  }

  /** TERM to the sshd of each pid file, then KILL to those alive after 10 s. */
  private static void stop(List<Path> pidFiles) {
    List<ProcessHandle> running = new ArrayList<>();
    for (Path f : pidFiles) {
      try {
        if (Files.isRegularFile(f)) {
          ProcessHandle.of(Long.parseLong(Files.readString(f).strip()))
              .filter(p -> p.info().command().orElse("").endsWith("sshd")).ifPresent(running::add);
          Files.deleteIfExists(f);
        }
      } catch (IOException | NumberFormatException e) {
        // no pid file, or not ours: nothing to stop
      }
    }
    running.forEach(ProcessHandle::destroy);
    Instant deadline = Instant.now().plusSeconds(10);
    for (ProcessHandle p : running) {
      while (p.isAlive() && Instant.now().isBefore(deadline)) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  /**
   * Removes a directory tree if it exists.
   *
   * @param dir the directory
   */
  static void deleteTree(Path dir) throws IOException, InterruptedException {
    if (Files.exists(dir)) {
      run(List.of("rm", "-rf", "--", dir.toString()));
    }
  }

  private static void key(Path file, String type) throws IOException, InterruptedException {
    if (!Files.isRegularFile(file)) {
      run(type.equals("rsa")
          ? List.of("ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-m", "PEM", "-N", "", "-C", "rollback-bench", "-f",
              file.toString())
          : List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rollback-bench", "-f", file.toString()));
    }
  }

  private static void run(List<String> argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(Path.of("/dev/null").toFile())
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
    }
  }

  static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
