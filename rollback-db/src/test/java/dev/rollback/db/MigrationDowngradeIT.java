package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.Preview;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.TestEnvironment;
import dev.rollback.verify.Retry;
import dev.rollback.verify.VerificationChain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** alembic (Debian's package, scripts/test-env.d/50-db.sh) downgrading a real PostgreSQL schema. */
class MigrationDowngradeIT {
  @TempDir
  Path tmp;
  DbFixture fx;
  Path project;
  String alembic;

  @BeforeEach
  void projectAtHead() throws Exception {
    fx = DbFixture.postgres();
    // alembic.binary comes from scripts/test-env.d/50-db.sh; Debian's package puts it in /usr/bin
    try {
      alembic = TestEnvironment.load().get("alembic.binary");
    } catch (IllegalStateException notProvisionedYet) {
      alembic = "/usr/bin/alembic";
    }
    if (!Files.isExecutable(Path.of(alembic))) {
      TestEnvironment.unavailable("alembic is not installed (" + alembic + "); run scripts/test-env.d/50-db.sh");
    }
    project = tmp.resolve("app");
    Files.createDirectories(project.resolve("versions"));
    for (String f : List.of("alembic.ini", "env.py", "versions/a1_users.py", "versions/b2_status.py",
        "versions/c3_email.py")) {
      try (var in = getClass().getResourceAsStream("/alembic/" + f)) {
        Files.copy(in, project.resolve(f));
      }
    }
    fx.exec("postgres", "CREATE DATABASE " + fx.name);
    alembic().run(dev.rollback.exec.Command.of(alembic, "upgrade", "head")
        .withWorkingDir(project).withEnv("DATABASE_URL", url()).withEnv("PGPASSWORD", fx.password))
        .requireSuccess();
    fx.exec(fx.name, "INSERT INTO users VALUES (1, 'ann', 'active', 'ann@example.com')");
  }

  @AfterEach
  void drop() throws Exception {
    if (fx != null) {
      fx.dropAll();
    }
  }

  LocalExecutor alembic() {
    return LocalExecutor.create();
  }

  String url() {
    return "postgresql://" + fx.user + "@" + fx.host + ":" + fx.port + "/" + fx.name;
  }

  MigrationDowngrade downgrade() {
    return MigrationDowngrade.alembic(alembic()).command(alembic).inDirectory(project.toString())
        .withEnv("DATABASE_URL", url()).withEnv("PGPASSWORD", fx.password);
  }

  RollbackPlan.Builder plan() {
    return RollbackPlan.builder("alembic-" + fx.name).lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("journal.jsonl")));
  }

  List<String> columns() throws Exception {
    return fx.column(fx.name, "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"
        + " ORDER BY ordinal_position");
  }

  @Test
  void previewPrintsTheDowngradeSqlFromAlembicSqlModeAndChangesNothing() throws Exception {
    Preview p = plan().step(downgrade()).build().preview();

    assertThat(p.steps().get(0).checkpoint()).isEqualTo("alembic at revision c3");
    String sqlAction = p.steps().get(0).actions().stream().filter(a -> a.startsWith("SQL the downgrade"))
        .findFirst().orElseThrow();
    assertThat(sqlAction).contains("ALTER TABLE users DROP COLUMN email")
        .contains("UPDATE alembic_version SET version_num='b2'");
    assertThat(p.steps().get(0).actions()).anyMatch(a -> a.contains("would run") && a.contains("downgrade -1"));
    assertThat(columns()).containsExactly("id", "name", "status", "email");
    assertThat(fx.column(fx.name, "SELECT version_num FROM alembic_version")).containsExactly("c3");
  }

  @Test
  void downgradesOneStepForReal() throws Exception {
    RollbackReport r = plan().step(downgrade()).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(columns()).containsExactly("id", "name", "status");
    assertThat(fx.column(fx.name, "SELECT version_num FROM alembic_version")).containsExactly("b2");
    assertThat(r.steps().get(0).checkpoint()).isEqualTo("alembic at revision c3");
    assertThat(r.steps().get(0).actions()).anyMatch(a -> a.contains("alembic now at revision b2 (was c3)"));
  }

  @Test
  void downgradesToARevisionAndUpgradesBackWhenVerificationFails() throws Exception {
    RollbackReport r = plan().step(downgrade().toRevision("a1"))
        .verify(VerificationChain.of(SqlCheck.on(fx.pg().withName(fx.name), "SELECT status FROM users"))
            .retry(Retry.once()))
        .verifyAfterRestore(VerificationChain.none()).build().run();

    assertThat(r.outcome()).as(r.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(r.verifications().get(0).result().summary()).contains("column \"status\" does not exist");
    assertThat(fx.column(fx.name, "SELECT version_num FROM alembic_version")).containsExactly("c3");
    assertThat(columns()).containsExactly("id", "name", "status", "email");
    // what the downgrade dropped stays dropped: "you can't rollback data"
    assertThat(fx.column(fx.name, "SELECT count(*) FROM users WHERE email IS NOT NULL")).containsExactly("0");
  }
}
