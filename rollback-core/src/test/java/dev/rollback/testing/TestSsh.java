package dev.rollback.testing;

import dev.rollback.exec.Command;
import dev.rollback.exec.SshExecutor;
import dev.rollback.exec.SshOptions;
import java.util.UUID;

/** Connections to the OpenSSH server scripts/test-env.sh starts on 127.0.0.1:2222, for integration tests. */
public final class TestSsh {
  private TestSsh() {}

  /** @return the options for the test server; skips or fails the test (see TestEnvironment) when it is missing */
  public static SshOptions options() {
    TestEnvironment env = TestEnvironment.load().requireServer("OpenSSH", "ssh.host", "ssh.port", "ssh.user",
        "ssh.key", "ssh.known_hosts");
    return SshOptions.defaults().withUser(env.get("ssh.user")).withHost(env.get("ssh.host"))
        .withPort(env.port("ssh.port")).withIdentityFile(env.path("ssh.key"))
        .withKnownHosts(env.path("ssh.known_hosts"));
  }

  /** @return a new connection to the test server */
  public static SshExecutor connect() {
    return SshExecutor.connect(options());
  }

  /**
   * Makes a fresh directory on the server.
   *
   * @param ssh the connection
   * @return its absolute path, under /tmp
   */
  public static String freshDir(SshExecutor ssh) {
    String dir = "/tmp/rollback-it-" + UUID.randomUUID();
    ssh.run(Command.of("mkdir", "-p", dir)).requireSuccess();
    return dir;
  }
}
