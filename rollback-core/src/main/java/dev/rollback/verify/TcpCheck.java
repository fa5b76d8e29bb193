package dev.rollback.verify;

import dev.rollback.RollbackContext;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * Opens a TCP connection per attempt and closes it at once: passes when the port accepts a connection.
 *
 * <pre>{@code
 * TcpCheck.connect("127.0.0.1", 5432).timeout(Duration.ofSeconds(1))
 * }</pre>
 *
 * <p>Immutable and thread-safe. Default timeout 2 s per attempt. The host name is resolved at each attempt; a
 * resolution that fails is a failed attempt ({@code cannot resolve host 'db1'}).
 */
public final class TcpCheck implements Check {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  private final String host;
  private final int port;
  private final Duration timeout;

  private TcpCheck(String host, int port, Duration timeout) {
    this.host = host;
    this.port = port;
    this.timeout = timeout;
  }

  /**
   * A connect check.
   *
   * @param host a host name or address
   * @param port 1 to 65535
   * @return the check, with a 2 s timeout
   * @throws IllegalArgumentException when the host is empty or the port out of range
   */
  public static TcpCheck connect(String host, int port) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("TcpCheck needs a host, got an empty one");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("TcpCheck needs a port from 1 to 65535, got " + port);
    }
    return new TcpCheck(host, port, DEFAULT_TIMEOUT);
  }

  /**
   * Bounds each connection attempt.
   *
   * @param timeout a positive duration, at least 1 ms; default 2 s
   * @return a copy
   */
  public TcpCheck timeout(Duration timeout) {
    Duration t = HttpCheck.positive(timeout);
    if (t.toMillis() < 1) {
      throw new IllegalArgumentException("timeout must be at least 1 ms, was " + timeout);
    }
    return new TcpCheck(host, port, t);
  }

  /** @return the per-attempt timeout */
  public Duration timeout() {
    return timeout;
  }

  /** {@code TCP 127.0.0.1:5432 accepts connections}. */
  @Override
  public String describe() {
    return "TCP " + where() + " accepts connections";
  }

  /** {@link #describe()}. */
  @Override
  public String toString() {
    return describe();
  }

  /**
   * Connects once and closes the connection.
   *
   * @param ctx the context (not used)
   * @return passed when the connection was accepted within the timeout; the detail says how long it took or why
   *     it failed
   */
  /** Makes the attempt with the shorter of its own timeout and the time left before the chain's deadline. */
  @Override
  public CheckResult check(RollbackContext ctx, Duration timeLeft) {
    if (timeLeft == null || timeLeft.compareTo(timeout) >= 0) {
      return check(ctx);
    }
    return timeout(timeLeft.toMillis() < 1 ? Duration.ofMillis(1) : timeLeft).check(ctx);
  }

  @Override
  public CheckResult check(RollbackContext ctx) {
    InetSocketAddress address = new InetSocketAddress(host, port);
    if (address.isUnresolved()) {
      return CheckResult.fail("cannot resolve host '" + host + "'");
    }
    long start = System.nanoTime();
    try (Socket s = new Socket()) {
      s.connect(address, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      long ms = (System.nanoTime() - start) / 1_000_000;
      return CheckResult.pass("connected to " + where() + " in " + ms + " ms");
    } catch (SocketTimeoutException e) {
      return CheckResult.fail("no connection to " + where() + " within " + timeout.toMillis() + " ms");
    } catch (ConnectException e) {
      String m = e.getMessage() == null ? "" : e.getMessage();
      if (m.toLowerCase(java.util.Locale.ROOT).contains("refused")) {
        return CheckResult.fail("connection refused by " + where() + " (nothing listens there)");
      }
      return CheckResult.fail("cannot connect to " + where() + ": " + m);
    } catch (IOException e) {
      return CheckResult.fail("cannot connect to " + where() + ": " + e.getClass().getSimpleName() + ": "
          + e.getMessage());
    }
  }

  private String where() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
