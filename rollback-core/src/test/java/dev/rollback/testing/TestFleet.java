package dev.rollback.testing;

import dev.rollback.exec.SshOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The fleet hosts {@code scripts/test-env.d/70-fleet.sh} starts: {@code host1..hostN}, each an OpenSSH server on
 * {@code 127.0.0.1:(base_port + i - 1)} in its own mount namespace, where {@code /srv/app} is
 * {@code <fleet.host_dirs>/hostI} of this machine.
 */
public final class TestFleet {
  private final TestEnvironment env;
  private final int size;
  private final int basePort;

  private TestFleet(TestEnvironment env) {
    this.env = env;
    this.size = Integer.parseInt(env.get("fleet.hosts"));
    this.basePort = env.port("fleet.base_port");
  }

  /**
   * @param minHosts how many hosts the test needs
   * @return the fleet; skips or fails the test (see {@link TestEnvironment}) when its keys are missing or its first
   *     host does not answer
   */
  public static TestFleet load(int minHosts) {
    TestEnvironment env = TestEnvironment.load().requireServer("the fleet's OpenSSH hosts", "fleet.host",
        "fleet.base_port", "fleet.hosts", "fleet.user", "fleet.key", "fleet.rsa_key", "fleet.known_hosts",
        "fleet.app_dir", "fleet.host_dirs", "fleet.start_host");
    TestFleet f = new TestFleet(env);
    if (f.size < minHosts) {
      TestEnvironment.unavailable("the test needs " + minHosts + " fleet hosts, " + env.file() + " has "
          + f.size);
    }
    return f;
  }

  /** @return host1..hostN */
  public List<String> hosts() {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      out.add("host" + i);
    }
    return out;
  }

  /**
   * @param host e.g. {@code host3}
   * @return its number, from 1
   */
  public int number(String host) {
    if (!host.startsWith("host")) {
      throw new IllegalArgumentException("not a fleet host: " + host);
    }
    return Integer.parseInt(host.substring(4));
  }

  /**
   * @param host e.g. {@code host3}
   * @return its sshd's port
   */
  public int port(String host) {
    return basePort + number(host) - 1;
  }

  /** @return the app root on every host: {@code /srv/app} */
  public String appDir() {
    return env.get("fleet.app_dir");
  }

  /**
   * @param host e.g. {@code host3}
   * @return the directory of this machine that is the host's {@code /srv/app}
   */
  public Path localDir(String host) {
    return env.path("fleet.host_dirs").resolve(host);
  }

  /** @return the known_hosts file holding every host's keys */
  public Path knownHosts() {
    return env.path("fleet.known_hosts");
  }

  /** @return the RSA (PEM) client key, the kind Capistrano's net-ssh reads */
  public Path rsaKey() {
    return env.path("fleet.rsa_key");
  }

  /**
   * Options for one host: the ed25519 client key, the fleet's known_hosts, the given timeouts.
   *
   * @param host e.g. {@code host3}
   * @param connect connect timeout
   * @param command default command timeout
   * @return the options
   */
  public SshOptions options(String host, Duration connect, Duration command) {
    return SshOptions.defaults().withUser(env.get("fleet.user")).withHost(env.get("fleet.host"))
        .withPort(port(host)).withIdentityFile(env.path("fleet.key")).withKnownHosts(knownHosts())
        .withConnectTimeout(connect).withCommandTimeout(command);
  }

  /**
   * @param host e.g. {@code host3}
   * @return true when its port accepts a TCP connection
   */
  public boolean listening(String host) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(env.get("fleet.host"), port(host)), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Starts a host's sshd again (after a test killed it) with the fragment's {@code start-host.sh}, which returns
   * once the port listens. Needs root, as the fragment does.
   *
   * @param host e.g. {@code host3}
   * @throws IllegalStateException when it does not come up within 30 s
   */
  public void revive(String host) {
    try {
      Process p = new ProcessBuilder(env.get("fleet.start_host"), String.valueOf(number(host)))
          .redirectErrorStream(true).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("start-host.sh " + host + " did not finish within 30 s");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("start-host.sh " + host + " exited " + p.exitValue() + ": " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + env.get("fleet.start_host") + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reviving " + host, e);
    }
  }
}
