package dev.rollback.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Capistrano 3.17 project (Debian's {@code capistrano} package) whose stage {@code benchN} lists the first N
 * benchmark hosts, for {@code cap benchN deploy:rollback}. What it writes is the exact setup the README quotes.
 */
final class CapistranoProject {
  private final Path dir;

  private CapistranoProject(Path dir) {
    this.dir = dir;
  }

  /**
   * Writes Capfile, config/deploy.rb and one stage per host count.
   *
   * @param dir the project directory
   * @param hosts the hosts
   * @param counts the host counts, one stage each
   * @return the project
   */
  static CapistranoProject write(Path dir, BenchHosts hosts, List<Integer> counts) throws IOException {
    Files.createDirectories(dir.resolve("config/deploy"));
    Files.writeString(dir.resolve("Capfile"), """
        require "capistrano/setup"
        require "capistrano/deploy"
        """);
    Files.writeString(dir.resolve("config/deploy.rb"), """
        lock "~> 3.17"
        set :application, "app"
        set :deploy_to, "/srv/app"
        # No SCM plugin: a rollback needs none, and 3.17 otherwise loads git and checks the repository.
        set :scm, nil
        set :keep_releases, 5
        set :log_level, :info
        # Debian's net-ssh reads neither ed25519 keys nor OpenSSH-format private keys: an RSA PEM key;
        # host keys checked against the same known_hosts the SDK uses.
        set :ssh_options, {
          user: "root",
          keys: ["%s"],
          keys_only: true,
          auth_methods: %%w[publickey],
          user_known_hosts_file: "%s",
          global_known_hosts_file: "/dev/null",
          verify_host_key: :always,
          non_interactive: true,
          config: false
        }
        """.formatted(hosts.clientKey(), hosts.knownHosts()));
    for (int n : counts) {
      StringBuilder stage = new StringBuilder();
      for (String h : hosts.names(n)) {
        stage.append("server \"127.0.0.1\", port: ").append(hosts.port(h))
            .append(", user: \"root\", roles: %w[app]\n");
      }
      Files.writeString(dir.resolve("config/deploy/bench" + n + ".rb"), stage);
    }
    return new CapistranoProject(dir);
  }

  /** @return the project directory */
  Path dir() {
    return dir;
  }

  /**
   * Runs {@code cap benchN deploy:rollback}; its output goes to {@code log}.
   *
   * @param n the host count (the stage)
   * @param log where cap's output goes
   * @throws IllegalStateException when cap fails or runs past 10 minutes
   */
  void rollback(int n, Path log) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("cap", "bench" + n, "deploy:rollback").directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(Path.of("/dev/null").toFile());
    // Capistrano reads HOSTS and ROLES from the environment as filters
    pb.environment().remove("HOSTS");
    pb.environment().remove("ROLES");
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("cap bench" + n + " deploy:rollback ran past 10 minutes; see " + log);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException("cap bench" + n + " deploy:rollback exited " + p.exitValue() + "; see " + log);
    }
  }
}
