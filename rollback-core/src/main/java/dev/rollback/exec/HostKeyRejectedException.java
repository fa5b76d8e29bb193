package dev.rollback.exec;

import java.nio.file.Path;

/**
 * An SSH server's host key was refused: it is not in the known_hosts file, or the file holds a different key for
 * that host (which is what a man-in-the-middle looks like, and also a reinstalled server).
 *
 * <p>The message names the host and port, the offered key's type and SHA256 fingerprint (as {@code ssh-keygen -l}
 * prints it) and the known_hosts file, and says what to do.
 */
public class HostKeyRejectedException extends ExecException {
  private static final long serialVersionUID = 1L;
  private final String host;
  private final int port;
  private final String fingerprint;
  private final transient Path knownHosts;
  private final boolean changed;

  /**
   * @param message the full explanation
   * @param host the host connected to
   * @param port its port
   * @param fingerprint the offered key, e.g. {@code ssh-ed25519 SHA256:...}; null when the key was unreadable
   * @param knownHosts the file consulted
   * @param changed true when the file holds a different key for the host, false when it holds none
   */
  public HostKeyRejectedException(String message, String host, int port, String fingerprint, Path knownHosts,
      boolean changed) {
    super(message);
    this.host = host;
    this.port = port;
    this.fingerprint = fingerprint;
    this.knownHosts = knownHosts;
    this.changed = changed;
  }

  /** @return the host connected to */
  public String host() {
    return host;
  }

  /** @return the port connected to */
  public int port() {
    return port;
  }

  /** @return the offered key's type and SHA256 fingerprint, or null when unknown */
  public String fingerprint() {
    return fingerprint;
  }

  /** @return the known_hosts file consulted */
  public Path knownHosts() {
    return knownHosts;
  }

  /** @return true when known_hosts holds a different key for this host; false when it holds none */
  public boolean changed() {
    return changed;
  }
}
