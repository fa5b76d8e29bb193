package dev.rollback.exec;

import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.Semaphore;
import net.schmizz.sshj.SSHClient;

/**
 * Runs commands on a remote host over one SSH connection (sshj), one session channel per command.
 *
 * <p>{@link #connect(String, SshOptions) connect} opens the connection at once: the server's host key must be in
 * the known_hosts file (no way around it; see {@link SshOptions}), else {@link HostKeyRejectedException}. Then
 * {@link #run(Command)} may be called from many threads at once; at most
 * {@link SshOptions#maxConcurrentCommands()} commands run at the same time and the rest wait. A connection that
 * was lost between commands is opened again on the next {@code run}; a command whose connection breaks while it
 * runs fails with {@link ExecException} and is never retried.
 *
 * <p>How a command reaches the server: the argv is single-quoted for the remote login shell (which must be a POSIX
 * shell) and {@code exec}'d, so every argument arrives as the same bytes and the exit status and signal are the
 * program's. Secret variables travel on the channel's stdin ahead of the command's own input, never on the remote
 * command line, which other users of the server can read; they are masked as {@code ***} in captured output and in
 * errors. Neither SSH {@code env} requests nor the server's {@code AcceptEnv} are used. Stdin, stdout and stderr
 * are streamed, so gigabytes pass through in constant memory.
 *
 * <p>How it ends: {@link ExecResult#exitCode()} is the remote exit status; a command killed by a signal has exit
 * code -1 and {@link ExecResult#signal()} set (e.g. {@code TERM}). On timeout ({@link Command#withTimeout} or
 * {@link SshOptions#withCommandTimeout}) the executor kills the command's whole process group (the SSH
 * {@code signal} request, or, where sshd refuses it as for root logins, {@code kill} on a second channel), closes
 * the channel and returns a result with {@code timedOut} true. If the stdin source fails, the command is killed
 * rather than sent EOF, so it never mistakes a truncated input for a whole one.
 *
 * <p>Connecting many hosts: only the known_hosts lines that name the host are decoded, and the parsed entries and
 * private keys are kept in this JVM while their files are unchanged (same size, modification time and inode), so a
 * fleet of N hosts reads its known_hosts and its key once instead of N times. Edit either file and the next
 * connection reads it again.
 */
public final class SshExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SshExecutor.class);
  private final SshOptions options;
  private final String host;
  private final String description;
  private final Semaphore slots;
  private final Object lock = new Object();
  private SSHClient client; // guarded by lock
  private boolean closed; // guarded by lock

  private SshExecutor(SshOptions options, SSHClient client) {
    this.options = options;
    this.host = options.host().orElseThrow();
    this.description = "ssh " + options.user() + "@" + SshConnector.hostPort(host, options.port());
    this.slots = new Semaphore(options.maxConcurrentCommands(), true);
    this.client = client;
  }

  /**
   * Connects to {@code [user@]host[:port]}; the parts given there override those in {@code options}. An IPv6
   * address takes brackets when a port follows: {@code deploy@[2001:db8::1]:2222}.
   *
   * @param userAtHost e.g. {@code deploy@db1}, {@code db1:2222}, {@code root@127.0.0.1:2222}
   * @param options keys, known_hosts, timeouts
   * @return a connected executor; close it when done
   * @throws HostKeyRejectedException when the host key is not in known_hosts or differs from it
   * @throws ExecException when the connection or authentication fails
   * @throws IllegalArgumentException when {@code userAtHost} cannot be parsed
   */
  public static SshExecutor connect(String userAtHost, SshOptions options) {
    return connect(parseTarget(Objects.requireNonNull(userAtHost, "userAtHost"),
        Objects.requireNonNull(options, "options")));
  }

  /**
   * Connects to the host in {@code options}.
   *
   * @param options connection settings, with a host
   * @return a connected executor; close it when done
   * @throws HostKeyRejectedException when the host key is not in known_hosts or differs from it
   * @throws ExecException when the connection or authentication fails
   * @throws IllegalArgumentException when no host is set
   */
  public static SshExecutor connect(SshOptions options) {
    if (options.host().isEmpty()) {
      throw new IllegalArgumentException("no host to connect to: set SshOptions.withHost or use connect(\"user@host\","
          + " options)");
    }
    return new SshExecutor(options, SshConnector.open(options));
  }

  static SshOptions parseTarget(String target, SshOptions o) {
    String rest = target.strip();
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      o = o.withUser(rest.substring(0, at));
      rest = rest.substring(at + 1);
    }
    String hostPart = rest;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("unclosed '[' in '" + target + "'");
      }
      hostPart = rest.substring(1, close);
      String after = rest.substring(close + 1);
      if (after.startsWith(":")) {
        o = o.withPort(parsePort(after.substring(1), target));
      } else if (!after.isEmpty()) {
        throw new IllegalArgumentException("unexpected '" + after + "' after ']' in '" + target + "'");
      }
    } else if (rest.indexOf(':') >= 0 && rest.indexOf(':') == rest.lastIndexOf(':')) {
      hostPart = rest.substring(0, rest.indexOf(':'));
      o = o.withPort(parsePort(rest.substring(rest.indexOf(':') + 1), target));
    }
    if (hostPart.isEmpty()) {
      throw new IllegalArgumentException("no host in '" + target + "'");
    }
    return o.withHost(hostPart);
  }

  private static int parsePort(String s, String target) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a port: '" + s + "' in '" + target + "'", e);
    }
  }

  /** @return the options this executor connected with (host, user and port resolved) */
  public SshOptions options() {
    return options;
  }

  @Override
  public ExecResult run(Command command) {
    Objects.requireNonNull(command, "command");
    RemoteCommandLine.secretPreamble(command); // rejects an unsendable secret before anything happens
    String shown = SshCommandRun.shown(command);
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExecException("interrupted while waiting to run " + shown + " on " + description, e);
    }
    try {
      Duration timeout = command.timeout().or(options::commandTimeout).orElse(null);
      SSHClient c = client(shown);
      try {
        return SshCommandRun.run(c, command, timeout, description, options.connectTimeout());
      } catch (SshCommandRun.NotStarted dead) {
        // The connection died before sshj noticed (its reader had not seen the EOF yet): nothing reached the
        // host, so the command runs once more on a new connection, and the log says so.
        LOG.warn("{}: the SSH connection was lost before {} started ({}); running it on a new connection",
            description, shown, dead.getMessage());
        dropIfSame(c);
        return SshCommandRun.run(client(shown), command, timeout, description, options.connectTimeout());
      }
    } finally {
      slots.release();
    }
  }

  private SSHClient client(String shown) {
    synchronized (lock) {
      if (closed) {
        throw new ExecException(description + " is closed; cannot run " + shown);
      }
      if (client == null || !client.isConnected() || !client.isAuthenticated()) {
        if (client != null) {
          // Never silent: a reconnect means an earlier command's connection died, maybe with it half done.
          LOG.warn("{}: the SSH connection was lost; opening a new one to run {}", description, shown);
          SshConnector.closeQuietly(client);
          client = null;
        }
        client = SshConnector.open(options);
      }
      return client;
    }
  }

  private void dropIfSame(SSHClient dead) {
    synchronized (lock) {
      if (client == dead) {
        SshConnector.closeQuietly(client);
        client = null;
      }
    }
  }

  /** @return {@code ssh user@host:port} */
  @Override
  public String describe() {
    return description;
  }

  /** Closes the connection. Commands still running fail; later {@code run} calls throw {@link ExecException}. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (client != null) {
        SshConnector.closeQuietly(client);
        client = null;
      }
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
