package dev.rollback.exec;

import dev.rollback.internal.StreamPump;
import java.io.ByteArrayInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.SSHException;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.direct.SessionChannel;
import net.schmizz.sshj.connection.channel.direct.Signal;
import net.schmizz.sshj.transport.TransportException;

/**
 * One command's life on one session channel of {@link SshExecutor}: start it, stream its stdin, stdout and stderr,
 * wait for its end or its deadline, and kill it when it must stop early. Used once, by one thread.
 */
final class SshCommandRun {
  /** How long the SSH signal request gets before the executor kills by PID on a second channel. */
  private static final Duration SIGNAL_WAIT = Duration.ofMillis(300);
  private static final Duration DRAIN_WAIT = Duration.ofSeconds(2);

  private final SSHClient client;
  private final Command command;
  private final String where;
  private final String shown;
  private final Duration requestTimeout;
  private final String marker =
      "rollback-pid-" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
  private final ExecChannel channel;
  private final PidLineFilter stderrFilter;
  private final StreamPump.Capture out;
  private final StreamPump.Capture err;
  private volatile Exception stdinFailure;

  private SshCommandRun(SSHClient client, Command command, String where, Duration requestTimeout) {
    this.client = client;
    this.command = command;
    this.where = where;
    this.shown = mask(command.display());
    this.requestTimeout = requestTimeout;
    this.channel = new ExecChannel(client);
    this.out = new StreamPump.Capture(command.captureLimit());
    this.err = new StreamPump.Capture(command.captureLimit());
    this.stderrFilter = new PidLineFilter(marker, command.stderr().orElse(err));
  }

  /**
   * Runs a command to its end or its timeout.
   *
   * @param client a connected, authenticated client
   * @param command the command
   * @param timeout the deadline from start, or null for none
   * @param where the executor's description, for messages
   * @param requestTimeout how long a single SSH request (opening the kill channel) may take
   * @return how the command ended
   * @throws ExecException when it could not start, its stdin source failed, or the connection broke
   */
  static ExecResult run(SSHClient client, Command command, Duration timeout, String where, Duration requestTimeout) {
    return new SshCommandRun(client, command, where, requestTimeout).run(timeout);
  }

  /**
   * The display form with secrets masked.
   *
   * @param c the command
   * @return what messages may show
   */
  static String shown(Command c) {
    return LocalExecutor.mask(c, c.display());
  }

  /**
   * sshj's words for a dropped connection ("Broken transport; encountered EOF") told as what happened; other
   * messages masked and quoted.
   */
  private String lost(Throwable e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("Broken transport") || m.contains("encountered EOF") || m.contains("Connection reset")
        || m.contains("Socket closed") || m.contains("Broken pipe")) {
      return "the SSH connection was lost (the server closed it: sshd restarted or killed, or the network"
          + " dropped) [" + mask(m) + "]";
    }
    return mask(m);
  }

  /** The command's channel could not even be opened: nothing reached the host, so running it again is safe. */
  static final class NotStarted extends ExecException {
    private static final long serialVersionUID = 1L;

    NotStarted(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private ExecResult run(Duration timeout) {
    String line = RemoteCommandLine.of(command, marker);
    byte[] preamble = RemoteCommandLine.secretPreamble(command);
    try {
      channel.open();
    } catch (SSHException | RuntimeException e) {
      closeQuietly(channel);
      // nothing was sent and no stdin opened: the executor may run it again on a new connection
      throw new NotStarted(where + ": cannot start " + shown + ": " + lost(e), e);
    }
    InputStream stdin = openStdin(preamble);
    long start = System.nanoTime();
    long deadline = timeout == null ? Long.MAX_VALUE : start + timeout.toNanos();
    try {
      channel.exec(line);
    } catch (SSHException | RuntimeException e) {
      closeQuietly(stdin);
      closeQuietly(channel);
      throw new ExecException(where + ": cannot start " + shown + ": " + lost(e), e);
    }
    Future<Long> outPump = StreamPump.copy(channel.getInputStream(), command.stdout().orElse(out), false);
    Future<Long> errPump = StreamPump.copy(channel.getErrorStream(), stderrFilter, false);
    Future<Long> inPump = startStdin(stdin);
    boolean timedOut = false;
    try {
      awaitEnd(outPump, errPump, deadline);
    } catch (TimeoutException e) {
      timedOut = true;
    } catch (ExecutionException | ConnectionException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      inPump.cancel(true);
      kill();
      throw new ExecException(where + ": I/O failed while running " + shown + ": " + lost(cause)
          + "; whether the command finished on the host is unknown", cause);
    } catch (InterruptedException e) {
      Thread.interrupted(); // clear it so the kill's own waits work; set again below
      inPump.cancel(true);
      kill();
      Thread.currentThread().interrupt();
      throw new ExecException("interrupted while running " + shown + " on " + where + "; the command was killed", e);
    }
    if (timedOut) {
      kill();
      drain(outPump);
      drain(errPump);
    }
    inPump.cancel(true); // a command may exit without reading all of its stdin
    closeQuietly(channel);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    Exception failedInput = stdinFailure;
    if (failedInput != null) {
      throw new ExecException("stdin of " + shown + " on " + where + " (" + command.stdinDescription()
          + ") failed: " + mask(String.valueOf(failedInput.getMessage()))
          + "; the command was killed rather than given a truncated input", failedInput);
    }
    Integer status = channel.getExitStatus();
    String signal = channel.signalName;
    if (!timedOut && status == null && signal == null) {
      throw new ExecException(where + ": the channel of " + shown + " closed without an exit status; the"
          + " connection may have been lost");
    }
    int exit = timedOut || status == null ? -1 : status;
    return new ExecResult(shown, exit, timedOut ? null : signal, mask(out.text()), mask(err.text()), took, timedOut,
        out.truncated() || err.truncated());
  }

  /** Waits for both output streams to end and the channel to close, until the deadline. */
  private void awaitEnd(Future<Long> outPump, Future<Long> errPump, long deadline)
      throws TimeoutException, ExecutionException, InterruptedException, ConnectionException {
    await(outPump, deadline);
    await(errPump, deadline);
    if (deadline == Long.MAX_VALUE) {
      channel.join(); // waits for the server's close, which follows the exit status
      return;
    }
    long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (leftMs < 1) {
      throw new TimeoutException();
    }
    try {
      channel.join(leftMs, TimeUnit.MILLISECONDS);
    } catch (ConnectionException e) {
      if (e.getCause() instanceof TimeoutException) {
        throw (TimeoutException) e.getCause();
      }
      throw e;
    }
  }

  private static void await(Future<Long> pump, long deadline)
      throws TimeoutException, ExecutionException, InterruptedException {
    if (deadline == Long.MAX_VALUE) {
      pump.get();
    } else {
      pump.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
  }

  private InputStream openStdin(byte[] preamble) {
    if (command.stdin().isEmpty() && preamble.length == 0) {
      return null;
    }
    InputStream own;
    try {
      own = command.stdin().map(s -> s.get()).orElse(InputStream.nullInputStream());
    } catch (UncheckedIOException e) {
      throw new ExecException("cannot open stdin (" + command.stdinDescription() + ") of " + shown + ": "
          + e.getCause().getMessage(), e.getCause());
    }
    return preamble.length == 0 ? own : new SequenceInputStream(new ByteArrayInputStream(preamble), own);
  }

  /**
   * Streams stdin to the channel. EOF goes only after the whole input: when the source fails, the command is
   * killed instead, so it never takes a truncated input for a complete one.
   */
  private Future<Long> startStdin(InputStream stdin) {
    if (stdin == null) {
      try {
        channel.getOutputStream().close(); // EOF at once
      } catch (IOException e) {
        // the command ended already; its status tells the rest
      }
      return CompletableFuture.completedFuture(0L);
    }
    InputStream watched = new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return stdin.read(b, off, len);
        } catch (IOException | RuntimeException e) {
          stdinFailure = e;
          kill();
          throw e;
        }
      }

      @Override
      public void close() throws IOException {
        stdin.close();
      }
    };
    // sshj holds channel output until a packet is full; flushing each chunk keeps a slow or interactive source
    // (and the secrets in front of it) from sitting in that buffer, at the cost of one short packet per chunk.
    OutputStream channelIn = new FilterOutputStream(channel.getOutputStream()) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        out.flush();
      }

      @Override
      public void close() throws IOException {
        if (stdinFailure == null) {
          out.close();
        }
      }
    };
    return StreamPump.copy(watched, channelIn, true);
  }

  /**
   * Kills the command: the SSH {@code signal} request first (OpenSSH's sshd signals the session's process group,
   * but refuses for root logins), then, while the command is still there, {@code kill} of its process group (the
   * PID the wrapper reported; sshd starts each command as a session leader) on a second channel. Closes the
   * channel. Safe to call more than once and from another thread.
   */
  private void kill() {
    try {
      channel.signal(Signal.KILL);
      if (channel.awaitEnd(SIGNAL_WAIT)) {
        closeQuietly(channel);
        return;
      }
    } catch (TransportException | RuntimeException e) {
      // the kill below does not depend on the signal request
    }
    long pid = stderrFilter.pid();
    if (pid > 0 && channel.isOpen()) {
      ExecChannel killer = new ExecChannel(client);
      try {
        killer.open();
        killer.exec("kill -s KILL -- -" + pid + " 2>/dev/null || kill -s KILL " + pid + " 2>/dev/null; true");
        killer.getOutputStream().close();
        killer.join(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        channel.awaitEnd(DRAIN_WAIT);
      } catch (IOException | RuntimeException e) {
        // the command's channel is closed below; nothing more can be done from here
      } finally {
        closeQuietly(killer);
      }
    }
    closeQuietly(channel);
  }

  /** After a kill, a grandchild that left the process group may still hold the output open: stop waiting. */
  private static void drain(Future<Long> pump) {
    try {
      pump.get(DRAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      pump.cancel(true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String mask(String text) {
    return LocalExecutor.mask(command, text);
  }

  private static void closeQuietly(SessionChannel channel) {
    try {
      channel.close();
    } catch (ConnectionException | TransportException | RuntimeException ignored) {
      // already closed or the connection is gone
    }
  }

  private static void closeQuietly(InputStream in) {
    if (in == null) {
      return;
    }
    try {
      in.close();
    } catch (IOException ignored) {
      // nothing was read from it
    }
  }

  /** A session channel that keeps the exact name of the signal that ended the command (sshj maps unknown ones). */
  private static final class ExecChannel extends SessionChannel {
    private final Object ended = new Object();
    private volatile String signalName;

    ExecChannel(SSHClient client) {
      super(client.getConnection(), StandardCharsets.UTF_8);
    }

    @Override
    public void handleRequest(String req, SSHPacket buf) throws ConnectionException, TransportException {
      if ("exit-signal".equals(req)) {
        int pos = buf.rpos();
        try {
          signalName = buf.readString();
        } catch (Buffer.BufferException e) {
          signalName = "UNKNOWN";
        }
        buf.rpos(pos);
      }
      super.handleRequest(req, buf);
      if ("exit-signal".equals(req) || "exit-status".equals(req)) {
        synchronized (ended) {
          ended.notifyAll();
        }
      }
    }

    /** Waits until the server reported the command's end (exit status or signal), at most {@code max}. */
    boolean awaitEnd(Duration max) {
      long until = System.nanoTime() + max.toNanos();
      synchronized (ended) {
        while (getExitStatus() == null && signalName == null && isOpen()) {
          long left = until - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(ended, left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
        return true;
      }
    }
  }
}
