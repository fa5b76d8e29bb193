package dev.rollback.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link SshExecutor} connects: user, host, port, keys, known_hosts, timeouts.
 *
 * <p>Immutable and thread-safe; every {@code withX} returns a copy. Start from {@link #defaults()}:
 * <ul>
 *   <li>user: the JVM's {@code user.name};</li>
 *   <li>host: none (give it here or in {@link SshExecutor#connect(String, SshOptions)});</li>
 *   <li>port: 22;</li>
 *   <li>identity files: none given, which means {@code ~/.ssh/id_ed25519}, {@code ~/.ssh/id_ecdsa} and
 *       {@code ~/.ssh/id_rsa}, those that exist;</li>
 *   <li>password: none;</li>
 *   <li>known_hosts: {@code ~/.ssh/known_hosts};</li>
 *   <li>connect timeout: 10 s;</li>
 *   <li>keepalive interval: 15 s;</li>
 *   <li>default command timeout: none;</li>
 *   <li>concurrent commands: 8 (below OpenSSH's default {@code MaxSessions} of 10, leaving room for the channels
 *       that kill timed-out commands).</li>
 * </ul>
 *
 * <p>Host key verification is always on: the server's key must be in the known_hosts file, under {@code host}
 * for port 22 and {@code [host]:port} otherwise, exactly as OpenSSH writes it. There is deliberately no switch to
 * accept an unknown key; record it first ({@code ssh-keyscan -p PORT HOST}, checked out of band).
 */
public final class SshOptions {
  private static final SshOptions DEFAULTS = new SshOptions(System.getProperty("user.name"), null, 22, List.of(),
      null, Path.of(System.getProperty("user.home"), ".ssh", "known_hosts"), Duration.ofSeconds(10),
      Duration.ofSeconds(15), null, 8);

  private final String user;
  private final String host;
  private final int port;
  private final List<Path> identityFiles;
  private final Secret password;
  private final Path knownHosts;
  private final Duration connectTimeout;
  private final Duration keepAliveInterval;
  private final Duration commandTimeout;
  private final int maxConcurrentCommands;

  private SshOptions(String user, String host, int port, List<Path> identityFiles, Secret password, Path knownHosts,
      Duration connectTimeout, Duration keepAliveInterval, Duration commandTimeout, int maxConcurrentCommands) {
    this.user = user;
    this.host = host;
    this.port = port;
    this.identityFiles = identityFiles;
    this.password = password;
    this.knownHosts = knownHosts;
    this.connectTimeout = connectTimeout;
    this.keepAliveInterval = keepAliveInterval;
    this.commandTimeout = commandTimeout;
    this.maxConcurrentCommands = maxConcurrentCommands;
  }

  /** @return the defaults listed in the class description */
  public static SshOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Sets the login user.
   *
   * @param user the user name, not empty; default the JVM's {@code user.name}
   * @return a copy
   * @throws IllegalArgumentException if user is empty or contains {@code @} or whitespace
   */
  public SshOptions withUser(String user) {
    if (user == null || user.isEmpty() || user.contains("@") || !user.strip().equals(user)) {
      throw new IllegalArgumentException("not a user name: '" + user + "'");
    }
    return new SshOptions(user, host, port, identityFiles, password, knownHosts, connectTimeout, keepAliveInterval,
        commandTimeout, maxConcurrentCommands);
  }

  /**
   * Sets the host to connect to.
   *
   * @param host a host name or IP address (IPv6 without brackets); default none
   * @return a copy
   * @throws IllegalArgumentException if host is empty
   */
  public SshOptions withHost(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    return new SshOptions(user, host, port, identityFiles, password, knownHosts, connectTimeout, keepAliveInterval,
        commandTimeout, maxConcurrentCommands);
  }

  /**
   * Sets the port.
   *
   * @param port 1 to 65535; default 22
   * @return a copy
   * @throws IllegalArgumentException if the port is out of range
   */
  public SshOptions withPort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, was " + port);
    }
    return new SshOptions(user, host, port, identityFiles, password, knownHosts, connectTimeout, keepAliveInterval,
        commandTimeout, maxConcurrentCommands);
  }

  /**
   * Adds a private key file (OpenSSH, PEM/PKCS#8 or PuTTY format, not passphrase-protected). Keys are tried in the
   * order added. Once any is added, the {@code ~/.ssh} defaults are no longer tried.
   *
   * @param privateKey the key file
   * @return a copy
   */
  public SshOptions withIdentityFile(Path privateKey) {
    List<Path> keys = new ArrayList<>(identityFiles);
    keys.add(Objects.requireNonNull(privateKey, "privateKey"));
    return new SshOptions(user, host, port, List.copyOf(keys), password, knownHosts, connectTimeout,
        keepAliveInterval, commandTimeout, maxConcurrentCommands);
  }

  /**
   * Sets a password, tried (as {@code password} and {@code keyboard-interactive}) after the keys.
   *
   * @param password the password; default none
   * @return a copy
   */
  public SshOptions withPassword(Secret password) {
    return new SshOptions(user, host, port, identityFiles, Objects.requireNonNull(password, "password"), knownHosts,
        connectTimeout, keepAliveInterval, commandTimeout, maxConcurrentCommands);
  }

  /**
   * Sets the known_hosts file the server's key must be in. A missing file holds no keys, so every host is refused.
   *
   * @param file an OpenSSH known_hosts file (plain or hashed entries); default {@code ~/.ssh/known_hosts}
   * @return a copy
   */
  public SshOptions withKnownHosts(Path file) {
    return new SshOptions(user, host, port, identityFiles, password, Objects.requireNonNull(file, "file"),
        connectTimeout, keepAliveInterval, commandTimeout, maxConcurrentCommands);
  }

  /**
   * Sets how long the TCP connect, the key exchange, authentication and each later SSH request (opening a channel,
   * starting a command) may take.
   *
   * @param timeout positive; default 10 s
   * @return a copy
   */
  public SshOptions withConnectTimeout(Duration timeout) {
    return new SshOptions(user, host, port, identityFiles, password, knownHosts, positive(timeout, "connect timeout"),
        keepAliveInterval, commandTimeout, maxConcurrentCommands);
  }

  /**
   * Sets how often an idle connection is probed ({@code keepalive@openssh.com}); after five unanswered probes the
   * connection counts as lost. Whole seconds; {@link Duration#ZERO} turns keepalive off.
   *
   * @param interval zero or at least one second; default 15 s
   * @return a copy
   */
  public SshOptions withKeepAliveInterval(Duration interval) {
    if (interval.isNegative() || (!interval.isZero() && interval.getSeconds() < 1)) {
      throw new IllegalArgumentException("keepalive interval must be 0 or at least 1 s, was " + interval);
    }
    return new SshOptions(user, host, port, identityFiles, password, knownHosts, connectTimeout, interval,
        commandTimeout, maxConcurrentCommands);
  }

  /**
   * Sets the timeout for commands that set none themselves ({@link Command#withTimeout(Duration)} wins).
   *
   * @param timeout positive; default none
   * @return a copy
   */
  public SshOptions withCommandTimeout(Duration timeout) {
    return new SshOptions(user, host, port, identityFiles, password, knownHosts, connectTimeout, keepAliveInterval,
        positive(timeout, "command timeout"), maxConcurrentCommands);
  }

  /**
   * Sets how many commands run at once on the one connection; further callers of {@link SshExecutor#run(Command)}
   * wait for a free slot. Keep it below the server's {@code MaxSessions} (OpenSSH: 10), or the server refuses
   * channels: killing a timed-out command may take one more channel.
   *
   * @param max at least 1; default 8
   * @return a copy
   */
  public SshOptions withMaxConcurrentCommands(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max concurrent commands must be >= 1, was " + max);
    }
    return new SshOptions(user, host, port, identityFiles, password, knownHosts, connectTimeout, keepAliveInterval,
        commandTimeout, max);
  }

  /** @return the login user */
  public String user() {
    return user;
  }

  /** @return the host, if set */
  public Optional<String> host() {
    return Optional.ofNullable(host);
  }

  /** @return the port */
  public int port() {
    return port;
  }

  /** @return the key files given with {@link #withIdentityFile(Path)}, in order; empty means the defaults */
  public List<Path> identityFiles() {
    return identityFiles;
  }

  /**
   * The key files a connection tries: those given, or else the {@code ~/.ssh} defaults that exist.
   *
   * @return the key files, in order
   */
  public List<Path> effectiveIdentityFiles() {
    if (!identityFiles.isEmpty()) {
      return identityFiles;
    }
    Path ssh = Path.of(System.getProperty("user.home"), ".ssh");
    List<Path> found = new ArrayList<>();
    for (String name : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
      Path p = ssh.resolve(name);
      if (Files.isRegularFile(p)) {
        found.add(p);
      }
    }
    return found;
  }

  /** @return the password, if set */
  public Optional<Secret> password() {
    return Optional.ofNullable(password);
  }

  /** @return the known_hosts file */
  public Path knownHosts() {
    return knownHosts;
  }

  /** @return the connect timeout */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** @return the keepalive interval; zero when off */
  public Duration keepAliveInterval() {
    return keepAliveInterval;
  }

  /** @return the default command timeout, if set */
  public Optional<Duration> commandTimeout() {
    return Optional.ofNullable(commandTimeout);
  }

  /** @return how many commands run at once on one connection */
  public int maxConcurrentCommands() {
    return maxConcurrentCommands;
  }

  /** The options without the password's value. */
  @Override
  public String toString() {
    return "SshOptions[" + user + "@" + (host == null ? "?" : host) + ":" + port + ", keys=" + identityFiles
        + ", password=" + (password == null ? "none" : "***") + ", knownHosts=" + knownHosts + ", connectTimeout="
        + connectTimeout + ", keepAlive=" + keepAliveInterval + ", commandTimeout=" + commandTimeout
        + ", maxConcurrentCommands=" + maxConcurrentCommands + "]";
  }

  private static Duration positive(Duration d, String what) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, was " + d);
    }
    return d;
  }
}
