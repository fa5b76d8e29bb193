package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.Checkpoint;
import dev.rollback.Outcome;
import dev.rollback.Preview;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.db.migration.FlywayUndoUnavailableException;
import dev.rollback.exec.Secret;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command lines of every tool, through a scripted executor; alembic runs for real in MigrationDowngradeIT. */
class MigrationDowngradeTest {
  @TempDir
  Path tmp;

  RollbackPlan.Builder plan() {
    return RollbackPlan.builder("migrations").lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(tmp.resolve("j.jsonl"))).logging(false);
  }

  @Test
  void liquibaseRollsBackCountedChangesetsPreviewsTheirSqlAndUpdatesBack() {
    ScriptedExecutor ex = new ScriptedExecutor()
        .answer("history", 0, "changelog.xml::3::dev\n", "")
        .answer("rollback-count-sql", 0, "ALTER TABLE users ADD email varchar(200);\n", "");
    MigrationDowngrade step = MigrationDowngrade.liquibase(ex)
        .command("liquibase", "--changelog-file=changelog.xml", "--url=jdbc:postgresql://db/app")
        .withEnv("LIQUIBASE_COMMAND_PASSWORD", Secret.of("pw")).steps(2);

    Preview p = plan().step(step).build().preview();
    assertThat(p.steps().get(0).actions()).anyMatch(a -> a.contains("ALTER TABLE users ADD email"))
        .anyMatch(a -> a.contains("rollback-count --count=2"));
    assertThat(ex.argvs()).noneMatch(a -> a.contains("rollback-count --count"));

    RollbackContext ctx = RollbackContext.standalone("t");
    Checkpoint cp = step.checkpoint(ctx);
    step.rollback(ctx);
    step.restore(ctx, cp);
    assertThat(ex.argvs()).contains("liquibase --changelog-file=changelog.xml --url=jdbc:postgresql://db/app"
        + " rollback-count --count=2", "liquibase --changelog-file=changelog.xml --url=jdbc:postgresql://db/app"
        + " update-count --count=2");
    assertThat(ex.ran.get(ex.ran.size() - 1).secretEnv()).containsKey("LIQUIBASE_COMMAND_PASSWORD");
  }

  @Test
  void flywayCommunityIsRefusedBeforeAnythingChangesWithWhatToDoInstead() {
    ScriptedExecutor ex = new ScriptedExecutor()
        .answer("--version", 0, "Flyway Community Edition 10.17.0 by Redgate\n", "")
        .answer("info", 0, "{\"schemaVersion\": \"4\"}", "");

    RollbackReport r = plan().step(MigrationDowngrade.flyway(ex)).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("flyway undo").contains("Teams or Enterprise").contains("DbRestoreRollback")
        .contains("Community Edition 10.17.0");
    assertThat(ex.argvs()).noneMatch(a -> a.contains("undo"));
  }

  @Test
  void flywayUndoThatTurnsOutMissingSaysSoAndTeamsUndoMigratesBack() {
    ScriptedExecutor missing = new ScriptedExecutor()
        .answer("--version", 0, "Flyway 10 by Redgate\n", "")
        .answer("info", 0, "{\"schemaVersion\": \"4\"}", "")
        .answer("undo", 1, "", "ERROR: Invalid argument: undo\n");
    RollbackContext ctx = RollbackContext.standalone("t");
    assertThatThrownBy(() -> MigrationDowngrade.flyway(missing).rollback(ctx))
        .isInstanceOf(FlywayUndoUnavailableException.class).hasMessageContaining("Invalid argument: undo");

    ScriptedExecutor teams = new ScriptedExecutor()
        .answer("--version", 0, "Flyway Teams Edition 10 by Redgate\n", "")
        .answer("info", 0, "{\"schemaVersion\": \"4\"}", "");
    MigrationDowngrade step = MigrationDowngrade.flyway(teams).toRevision("2");
    step.preflight(ctx);
    Checkpoint cp = step.checkpoint(ctx);
    step.rollback(ctx);
    step.restore(ctx, cp);
    assertThat(cp.describe()).isEqualTo("flyway at revision 4");
    assertThat(teams.argvs()).contains("flyway undo -target=2", "flyway migrate -target=4");
    assertThatThrownBy(() -> MigrationDowngrade.flyway(teams).steps(2).rollback(ctx))
        .hasMessageContaining("one migration at a time");
  }

  @Test
  void railsRollsBackStepsAndMigratesBackToTheVersionItWasAt() {
    ScriptedExecutor ex = new ScriptedExecutor().answer("db:version", 0, "Current version: 20240116104500\n", "");
    MigrationDowngrade step = MigrationDowngrade.rails(ex).inDirectory("/srv/app").steps(2);
    RollbackContext ctx = RollbackContext.standalone("t");

    Checkpoint cp = step.checkpoint(ctx);
    step.rollback(ctx);
    step.restore(ctx, cp);

    assertThat(ex.argvs()).contains("bin/rails db:rollback STEP=2", "bin/rails db:migrate VERSION=20240116104500");
    assertThat(ex.ran).allMatch(c -> c.workingDir().orElseThrow().equals("/srv/app"));
  }

  @Test
  void djangoMigratesTheAppToANamedMigrationAndPreviewsTheBackwardsSql() {
    ScriptedExecutor ex = new ScriptedExecutor()
        .answer("showmigrations", 0, "orders\n [X] 0001_initial\n [X] 0002_status\n [X] 0003_drop_note\n"
            + " [ ] 0004_next\n", "")
        .answer("sqlmigrate", 0, "ALTER TABLE orders ADD COLUMN note text;\n", "");

    Preview p = plan().step(MigrationDowngrade.django(ex, "orders").toRevision("0002")).build().preview();

    assertThat(p.steps().get(0).checkpoint()).isEqualTo("django (orders) at revision 0003_drop_note");
    assertThat(p.steps().get(0).actions()).anyMatch(a -> a.contains("ADD COLUMN note"))
        .anyMatch(a -> a.contains("python manage.py migrate orders 0002"));
    assertThat(ex.argvs()).contains("python manage.py sqlmigrate orders 0003_drop_note --backwards");
    assertThatThrownBy(() -> MigrationDowngrade.django(ex, "orders").rollback(RollbackContext.standalone("t")))
        .hasMessageContaining("named migration");
  }

  @Test
  void nothingAppliedIsRefused() {
    ScriptedExecutor ex = new ScriptedExecutor().answer("current", 0, "", "");
    RollbackReport r = plan().step(MigrationDowngrade.alembic(ex)).build().run();
    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("no applied migration");
  }

  @Test
  void upgradeBackThatFailsSaysWhichRevisionTheToolIsAtAndTheCommandThatFinishesIt() {
    ScriptedExecutor ex = new ScriptedExecutor()
        .answer("current", 0, "b2\n", "")
        .answer("upgrade", 1, "", "sqlalchemy.exc.ProgrammingError: relation \"email_idx\" already exists\n");
    MigrationDowngrade step = MigrationDowngrade.alembic(ex).inDirectory("/srv/app");
    RollbackContext ctx = RollbackContext.standalone("t");

    assertThatThrownBy(() -> step.restore(ctx, new MigrationDowngrade.Revision("c3", "alembic")))
        .isInstanceOfSatisfying(dev.rollback.RestoreIncompleteException.class, e -> {
          assertThat(e.situation()).isEqualTo("alembic was downgraded from revision c3; upgrading it back failed and"
              + " it is at revision b2");
          assertThat(e.action()).isEqualTo("run `(cd /srv/app) alembic upgrade c3` on scripted");
          assertThat(e.getCause()).hasMessageContaining("already exists");
        });
  }

  @Test
  void upgradeBackRefusedByARestartingDatabaseRunsAgainUntilItConnects() {
    java.util.concurrent.atomic.AtomicInteger upgrades = new java.util.concurrent.atomic.AtomicInteger();
    dev.rollback.exec.Executor restarting = new dev.rollback.exec.Executor() {
      @Override
      public dev.rollback.exec.ExecResult run(dev.rollback.exec.Command c) {
        boolean refused = c.argv().contains("upgrade") && upgrades.incrementAndGet() <= 2;
        return new dev.rollback.exec.ExecResult(c.display(), refused ? 1 : 0, null, "", refused
            ? "psycopg2.OperationalError: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  the"
            + " database system is starting up\n" : "", java.time.Duration.ZERO, false, false);
      }

      @Override
      public String describe() {
        return "restarting";
      }
    };
    dev.rollback.testing.RecordingContext ctx = dev.rollback.testing.RecordingContext.create("t");

    MigrationDowngrade.alembic(restarting).restore(ctx, new MigrationDowngrade.Revision("c3", "alembic"));

    assertThat(upgrades.get()).isEqualTo(3);
    assertThat(ctx.actions()).anyMatch(a -> a.startsWith("alembic's database refused the connection (psycopg2.")
        && a.endsWith("FATAL:  the database system is starting up): trying again for up to 30 s"))
        .anyMatch(a -> a.startsWith("alembic's database accepts connections again, after "));
  }

  @Test
  void upgradeBackGivesUpOnARefusingDatabaseOnceItsTimeIsUp() {
    ScriptedExecutor down = new ScriptedExecutor()
        .answer("upgrade", 2, "", "could not connect to server: Connection refused\n")
        .answer("current", 2, "", "could not connect to server: Connection refused\n");
    MigrationDowngrade step = MigrationDowngrade.alembic(down).reconnectWithin(java.time.Duration.ofMillis(600));

    assertThatThrownBy(() -> step.restore(RollbackContext.standalone("t"), new MigrationDowngrade.Revision("c3",
        "alembic"))).isInstanceOfSatisfying(dev.rollback.RestoreIncompleteException.class, e ->
        assertThat(e.situation()).isEqualTo("alembic was downgraded from revision c3; upgrading it back failed and"
            + " its revision could not be read (command failed (exit 2): alembic current)"));
    assertThat(down.argvs().stream().filter(a -> a.equals("alembic upgrade c3")).count()).isGreaterThan(1);
    assertThatThrownBy(() -> step.reconnectWithin(java.time.Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
