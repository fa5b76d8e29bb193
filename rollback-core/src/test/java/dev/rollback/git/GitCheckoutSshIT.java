package dev.rollback.git;

import dev.rollback.exec.Command;
import dev.rollback.exec.Executor;
import dev.rollback.exec.SshExecutor;
import dev.rollback.testing.TestSsh;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Seed 003 as it is done by hand: the git rollback over SSH, against the real OpenSSH server. */
class GitCheckoutSshIT extends GitCheckoutContract {
  static SshExecutor ssh;
  static String base;

  @BeforeAll
  static void connect() {
    ssh = TestSsh.connect();
    base = TestSsh.freshDir(ssh);
  }

  @AfterAll
  static void cleanUp() {
    if (ssh != null) {
      ssh.run(Command.of("rm", "-rf", "--", base));
      ssh.close();
    }
  }

  @Override
  Executor executor() {
    return ssh;
  }

  @Override
  String freshDir() {
    return base + "/repo-" + java.util.UUID.randomUUID();
  }
}
