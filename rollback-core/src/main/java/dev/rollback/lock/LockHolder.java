package dev.rollback.lock;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Objects;

/**
 * Who holds a target's lock: the host and process that took it, when, and for which run.
 *
 * @param host the holder's host name
 * @param pid the holder's process id
 * @param since when the lock was taken
 * @param runId the holder's run id
 */
public record LockHolder(String host, long pid, Instant since, String runId) {

  /** Checks the record's fields. */
  public LockHolder {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(since, "since");
    runId = runId == null ? "" : runId;
  }

  /**
   * The holder this JVM would be.
   *
   * @param runId the run taking the lock
   * @return host name, this JVM's pid, now
   */
  public static LockHolder current(String runId) {
    return new LockHolder(localHost(), ProcessHandle.current().pid(), Instant.now(), runId);
  }

  /** @return {@code pid 4242 on host web1 since 2026-11-21T05:40:00Z (run ...)} */
  public String describe() {
    return "pid " + pid + " on host " + host + " since " + since + (runId.isEmpty() ? "" : " (run " + runId + ")");
  }

  /** @return true when the holder is a process on this host that no longer runs */
  public boolean isDeadLocalProcess() {
    return host.equals(localHost()) && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
  }

  /** @return this machine's host name, or {@code localhost} when it cannot be read */
  public static String localHost() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** @return one line, {@code host pid since runId}, as written into lock files */
  public String toLine() {
    return host + " " + pid + " " + since + " " + runId;
  }

  /**
   * Parses {@link #toLine()}.
   *
   * @param line the line
   * @return the holder, or null when the line is not one
   */
  public static LockHolder parse(String line) {
    if (line == null) {
      return null;
    }
    String[] p = line.strip().split(" ");
    if (p.length < 3) {
      return null;
    }
    try {
      return new LockHolder(p[0], Long.parseLong(p[1]), Instant.parse(p[2]), p.length > 3 ? p[3] : "");
    } catch (RuntimeException e) {
      return null;
    }
  }
}
