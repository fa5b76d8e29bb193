package dev.rollback.examples.seed003;

import dev.rollback.RollbackPlan;
import dev.rollback.db.MigrationDowngrade;
import dev.rollback.db.PostgresDatabase;
import dev.rollback.db.SqlCheck;
import dev.rollback.examples.support.Dirs;
import dev.rollback.examples.support.SeedEnv;
import dev.rollback.examples.support.Sql;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.SshExecutor;
import dev.rollback.exec.SshOptions;
import dev.rollback.git.GitCheckoutRollback;
import dev.rollback.git.GitWorkingCopy;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.HttpCheck;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Seed 003's {@code jctc-app}, reached only over SSH ({@code root@127.0.0.1:2222}, host key checked against the
 * test environment's known_hosts): a git working copy {@code /tmp/rbseed-003-<id>/jctc-app} on branch main, a
 * compose stack ({@code docker-compose -p rbseed003 -f docker-compose.prod.yml}, service {@code app} built from
 * the working copy, published on 127.0.0.1:18330), and alembic migrations of the PostgreSQL database
 * {@code rbseed003}. Commit 1 is good (migration a1); commit 2, the bad deploy, adds migration b2 and drops
 * /health.
 *
 * <p>The plan does the runbook's full procedure in a safe order: the alembic downgrade first, while the bad
 * commit's migration file is still checked out (the runbook checks out the old commit first, after which
 * {@code alembic downgrade -1} can no longer find b2's downgrade), then the last good commit, then {@code build
 * --no-cache} and {@code up -d}. The preview shows the downgrade's SQL from {@code alembic downgrade --sql}.
 * After the fix, {@link #returnToMain} checks out main again and rebuilds.
 *
 * <p>Stand-ins: the app is busybox httpd (built from the busybox image, no network); alembic runs on the SSH
 * host against the database rather than inside the app container (which has no Python); the "remote" is this
 * machine's sshd; the fix arrives by a push from a developer clone instead of {@code git pull origin main}.
 */
public final class Seed003App implements AutoCloseable {
  /** The compose project. */
  public static final String PROJECT = "rbseed003";
  /** The app's published port. */
  public static final int PORT = 18330;
  /** The database. */
  public static final String DATABASE = "rbseed003";

  private final SeedEnv env;
  private final SshExecutor ssh;
  private final String base;
  private final String dir;
  private final PostgresDatabase db;
  private final String alembic;
  private final Path local = Dirs.temp("rbseed-003-");
  private String lastGood;

  private Seed003App(SeedEnv env) {
    this.env = env;
    this.ssh = SshExecutor.connect(SshOptions.defaults().withUser(env.get("ssh.user")).withHost(env.get("ssh.host"))
        .withPort(env.port("ssh.port")).withIdentityFile(Path.of(env.get("ssh.key")))
        .withKnownHosts(Path.of(env.get("ssh.known_hosts"))).withCommandTimeout(Duration.ofMinutes(2)));
    this.base = "/tmp/rbseed-003-" + UUID.randomUUID().toString().substring(0, 8);
    this.dir = base + "/jctc-app";
    this.db = env.postgres(DATABASE);
    this.alembic = env.get("alembic.binary", "/usr/bin/alembic");
  }

  /**
   * Creates the database and the working copy with the good commit, builds and starts the stack, and migrates
   * to head (a1).
   *
   * @param env the servers
   * @return the app, healthy on commit 1
   */
  public static Seed003App start(SeedEnv env) {
    Seed003App app = new Seed003App(env);
    try {
      Sql.recreatePostgresDatabase(app.maintenance(), DATABASE);
      app.remote("git", "init", "-q", "-b", "main", app.dir);
      app.git("config", "user.email", "deploy@example.com");
      app.git("config", "user.name", "deploy");
      app.write("Dockerfile", "FROM " + env.get("docker.busybox_image") + "\nCOPY www /www\n"
          + "CMD [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");
      app.write("docker-compose.prod.yml", "version: \"2.4\"\nservices:\n  app:\n    build: .\n"
          + "    image: rbseed003-app:latest\n    container_name: rbseed-003-app\n    init: true\n"
          + "    ports:\n      - \"127.0.0.1:" + PORT + ":8080\"\n");
      app.write(".gitignore", "__pycache__/\n");
      for (String f : List.of("alembic.ini", "env.py", "versions/a1_users.py")) {
        app.write(f, resource(f));
      }
      app.write("www/index.html", "jctc v1\n");
      app.write("www/health", "ok v1\n");
      app.git("add", "-A");
      app.git("commit", "-q", "-m", "v1: users table");
      app.lastGood = app.working().head();
      app.deploy();
      return app;
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  /** The bad deploy: commit 2 (migration b2 adds users.status; /health removed), built, started, migrated. */
  public void deployBadCommit() {
    write("versions/b2_status.py", resource("versions/b2_status.py"));
    write("www/index.html", "jctc v2\n");
    remote("rm", "-f", dir + "/www/health");
    git("add", "-A");
    git("commit", "-q", "-m", "v2: user status");
    deploy();
  }

  private void deploy() {
    for (Command c : rebuild()) {
      ssh.run(c.withWorkingDir(dir)).requireSuccess();
    }
    ssh.run(migrations("upgrade", "head")).requireSuccess();
  }

  private Command migrations(String... args) {
    List<String> argv = new java.util.ArrayList<>(List.of(alembic));
    argv.addAll(List.of(args));
    return Command.of(argv).withWorkingDir(dir).withEnv("DATABASE_URL", databaseUrl())
        .withEnv("PGPASSWORD", db.password()).withTimeout(Duration.ofMinutes(1));
  }

  private String databaseUrl() {
    return "postgresql://" + db.user() + "@" + db.host() + ":" + db.port() + "/" + DATABASE;
  }

  private static Command[] rebuild() {
    return new Command[] {
        compose("build", "--no-cache", "app"),
        compose("up", "-d", "app")};
  }

  private static Command compose(String... args) {
    List<String> argv = new java.util.ArrayList<>(List.of("docker-compose", "-p", PROJECT, "-f",
        "docker-compose.prod.yml"));
    argv.addAll(List.of(args));
    return Command.of(argv).withTimeout(Duration.ofMinutes(2));
  }

  /** @return the working copy, over SSH */
  public GitWorkingCopy working() {
    return GitWorkingCopy.at(ssh, dir);
  }

  /** @return the git step: the last good commit, then {@code build --no-cache app} and {@code up -d app} */
  public GitCheckoutRollback gitRollback() {
    return GitCheckoutRollback.of(working()).to(lastGood).thenRun(rebuild());
  }

  /** @return /health on the published port */
  public HttpCheck health() {
    return HttpCheck.get("http://127.0.0.1:" + PORT + "/health").expectStatus(200).timeout(Duration.ofSeconds(2));
  }

  /**
   * The full rollback procedure: {@code alembic downgrade -1}, the last good commit, rebuild, restart; verified
   * by /health answering "ok v1" and the database at revision a1.
   *
   * @return the plan
   */
  public RollbackPlan plan() {
    return RollbackPlan.builder("jctc-app")
        .step(MigrationDowngrade.alembic(ssh).command(alembic).inDirectory(dir)
            .withEnv("DATABASE_URL", databaseUrl()).withEnv("PGPASSWORD", db.password()))
        .step(gitRollback())
        .verify(VerificationChain.of(health().bodyContains("ok v1"),
                SqlCheck.on(db, "SELECT version_num FROM alembic_version").expectValue("a1"))
            .retry(Retry.every(Duration.ofMillis(200)).deadline(Duration.ofSeconds(30))))
        .lock(TargetLock.remote(ssh, base + "/locks"))
        .journal(journal())
        .build();
  }

  /** @return the journal, on this machine (the deploy tool's side) */
  public Journal journal() {
    return Journal.jsonLines(local.resolve("rollback.jsonl"));
  }

  /**
   * The fix, made in a developer's clone and pushed to the server's main (its HEAD is detached meanwhile): /health
   * back, reporting v3.
   */
  public void pushFix() {
    String dev = base + "/dev";
    remote("git", "clone", "-q", "-b", "main", dir, dev);
    remote("git", "-C", dev, "config", "user.email", "dev@example.com");
    remote("git", "-C", dev, "config", "user.name", "dev");
    writeAt(dev + "/www/health", "ok v3\n");
    writeAt(dev + "/www/index.html", "jctc v3\n");
    remote("git", "-C", dev, "add", "-A");
    remote("git", "-C", dev, "commit", "-q", "-m", "v3: fix health");
    remote("git", "-C", dev, "push", "-q", dir, "main");
  }

  /** Seed 003's "return to main branch later": main checked out, rebuilt and restarted; migrations to head. */
  public void returnToMain() {
    gitRollback().returnTo("main");
    ssh.run(migrations("upgrade", "head")).requireSuccess();
  }

  /** @return the commit the plan goes back to */
  public String lastGood() {
    return lastGood;
  }

  /** @return the database */
  public PostgresDatabase db() {
    return db;
  }

  private PostgresDatabase maintenance() {
    return env.postgresMaintenance();
  }

  private void git(String... args) {
    List<String> argv = new java.util.ArrayList<>(List.of("git", "-C", dir));
    argv.addAll(List.of(args));
    ssh.run(Command.of(argv)).requireSuccess();
  }

  private ExecResult remote(String... argv) {
    return ssh.run(Command.of(List.of(argv)).withTimeout(Duration.ofMinutes(1))).requireSuccess();
  }

  private void write(String path, String content) {
    writeAt(dir + "/" + path, content);
  }

  private void writeAt(String path, String content) {
    ssh.run(Command.of("sh", "-c", "mkdir -p \"$(dirname \"$1\")\" && cat > \"$1\"", "sh", path)
        .withStdin(content)).requireSuccess();
  }

  private static String resource(String name) {
    try (InputStream in = Seed003App.class.getResourceAsStream("/seed003/" + name)) {
      if (in == null) {
        throw new IllegalStateException("resource /seed003/" + name + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Takes the stack down, removes its image, the working copy and the database, and disconnects. */
  @Override
  public void close() {
    try {
      ssh.run(compose("down", "--rmi", "local").withWorkingDir(dir));
      ssh.run(Command.of("docker", "rmi", "-f", "rbseed003-app:latest"));
      ssh.run(Command.of("rm", "-rf", "--", base));
      Sql.dropPostgresDatabases(maintenance(), DATABASE);
    } finally {
      ssh.close();
      Dirs.delete(local);
    }
  }
}
