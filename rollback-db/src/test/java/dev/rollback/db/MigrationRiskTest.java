package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.Checkpoint;
import dev.rollback.Outcome;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.RollbackStrategy;
import dev.rollback.db.MigrationRisk.Finding;
import dev.rollback.db.MigrationRisk.Level;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationRiskTest {
  @TempDir
  Path dir;

  static Level level(String sql) {
    List<Finding> f = MigrationRisk.classifySql(sql);
    assertThat(f).hasSize(1);
    return f.get(0).level();
  }

  @Test
  void seedFoursSafeChanges() {
    assertThat(level("ALTER TABLE users ADD COLUMN status varchar(20)")).isEqualTo(Level.SAFE);
    assertThat(level("ALTER TABLE users ADD COLUMN status varchar(20) NOT NULL DEFAULT 'new'")).isEqualTo(Level.SAFE);
    assertThat(level("CREATE TABLE audit (id int)")).isEqualTo(Level.SAFE);
    assertThat(level("CREATE INDEX users_email ON users (email)")).isEqualTo(Level.SAFE);
    assertThat(level("INSERT INTO settings VALUES ('a', 'b')")).isEqualTo(Level.SAFE);
    assertThat(level("ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users(id)"))
        .isEqualTo(Level.SAFE);
  }

  @Test
  void seedFoursDangerousChanges() {
    assertThat(level("ALTER TABLE users DROP COLUMN email")).isEqualTo(Level.DANGEROUS);
    assertThat(level("ALTER TABLE users DROP email")).isEqualTo(Level.DANGEROUS);
    assertThat(level("DROP TABLE sessions")).isEqualTo(Level.DANGEROUS);
    assertThat(level("ALTER TABLE users ALTER COLUMN age TYPE bigint")).isEqualTo(Level.DANGEROUS);
    assertThat(level("ALTER TABLE users MODIFY age bigint")).isEqualTo(Level.DANGEROUS);
    assertThat(level("ALTER TABLE users ADD COLUMN tenant int NOT NULL")).isEqualTo(Level.DANGEROUS);
    assertThat(level("ALTER TABLE users ALTER COLUMN email SET NOT NULL")).isEqualTo(Level.DANGEROUS);
    assertThat(level("UPDATE users SET email_new = email WHERE email_new IS NULL")).isEqualTo(Level.DANGEROUS);
    assertThat(level("DELETE FROM users WHERE inactive")).isEqualTo(Level.DANGEROUS);
    assertThat(level("ALTER TABLE users RENAME COLUMN email_new TO email")).isEqualTo(Level.DANGEROUS);
    assertThat(level("ALTER TABLE users RENAME TO people")).isEqualTo(Level.DANGEROUS);
    assertThat(level("TRUNCATE audit")).isEqualTo(Level.DANGEROUS);
  }

  @Test
  void notDangerousLookalikesAndCommentsAndQuotes() {
    assertThat(level("ALTER TABLE users DROP CONSTRAINT users_email_key")).isEqualTo(Level.REVIEW);
    assertThat(level("ALTER TABLE users ALTER COLUMN email DROP DEFAULT")).isEqualTo(Level.REVIEW);
    assertThat(MigrationRisk.classifySql("-- DROP TABLE users;\nINSERT INTO t VALUES ('a;DELETE FROM x')"))
        .extracting(Finding::level).containsExactly(Level.SAFE);
    assertThat(MigrationRisk.classifySql("ALTER TABLE users ADD COLUMN a int, DROP COLUMN b"))
        .extracting(Finding::level).containsExactly(Level.SAFE, Level.DANGEROUS);
  }

  @Test
  void flywayFilesBetweenTwoVersionsInNumericOrder() throws Exception {
    Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE users (id int, email text);");
    Files.writeString(dir.resolve("V2__status.sql"), "ALTER TABLE users ADD COLUMN status text;");
    Files.writeString(dir.resolve("V10__drop_email.sql"), "ALTER TABLE users DROP COLUMN email;");
    Files.writeString(dir.resolve("U10__undo.sql"), "ALTER TABLE users ADD COLUMN email text;");
    Files.writeString(dir.resolve("V9__backfill.sql"), "UPDATE users SET status = 'x';");

    MigrationRisk.Report safe = MigrationRisk.in(dir).between("1", "2");
    assertThat(safe.dangerous()).isFalse();
    assertThat(safe.migrations()).containsExactly("V2__status.sql");

    MigrationRisk.Report r = MigrationRisk.in(dir).between("2", "10");
    assertThat(r.migrations()).containsExactly("V9__backfill.sql", "V10__drop_email.sql");
    assertThat(r.dangerousFindings()).extracting(Finding::reason).containsExactly(
        "rewrites rows: a one-way data transform", "drops a column and its data");
    assertThatThrownBy(() -> MigrationRisk.in(dir).between("2", "11")).hasMessageContaining("version 11")
        .hasMessageContaining("found: 1, 2, 9, 10");
  }

  @Test
  void alembicScriptsFollowTheirRevisionChainAndOnlyTheUpgradeCounts() throws Exception {
    Files.writeString(dir.resolve("b2_drop.py"), "revision = 'b2'\ndown_revision = 'a1'\n"
        + "def upgrade():\n    op.drop_column('users', 'status')\n"
        + "def downgrade():\n    op.add_column('users', sa.Column('status', sa.String(20), nullable=True))\n");
    Files.writeString(dir.resolve("a1_status.py"), "revision = 'a1'\ndown_revision = None\n"
        + "def upgrade():\n    op.add_column('users',\n        sa.Column('status', sa.String(20), nullable=True))\n"
        + "def downgrade():\n    op.drop_column('users', 'status')\n");
    Files.writeString(dir.resolve("c3_backfill.py"), "revision = \"c3\"\ndown_revision = \"b2\"\n"
        + "def upgrade():\n    op.execute(\"\"\"\n        UPDATE users SET email_new = email\n    \"\"\")\n"
        + "    op.alter_column('users', 'email_new', new_column_name='email')\n");

    assertThat(MigrationRisk.in(dir).between("base", "a1").dangerous()).isFalse();
    MigrationRisk.Report r = MigrationRisk.in(dir).between("a1", "c3");
    assertThat(r.migrations()).containsExactly("b2_drop.py", "c3_backfill.py");
    assertThat(r.findings()).extracting(Finding::level).containsExactly(Level.DANGEROUS, Level.DANGEROUS,
        Level.DANGEROUS);
  }

  @Test
  void railsMigrations() throws Exception {
    Files.writeString(dir.resolve("20240101000000_add_status.rb"), "class AddStatus < ActiveRecord::Migration[7.1]\n"
        + "  def change\n    add_column :users, :status, :string\n  end\nend\n");
    Files.writeString(dir.resolve("20240102000000_remove_email.rb"), "class RemoveEmail < ActiveRecord::Migration\n"
        + "  def up\n    remove_column :users, :email\n  end\n  def down\n    add_column :users, :email, :string\n"
        + "  end\nend\n");
    assertThat(MigrationRisk.in(dir).between("20240101000000", "20240102000000").summary())
        .contains("1 dangerous change").contains("remove_column :users, :email");
  }

  @Test
  void guardRefusesACodeOnlyRollbackAcrossADangerousChangeBeforeAnythingChanges() throws Exception {
    Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE users (id int, email text);");
    Files.writeString(dir.resolve("V2__drop.sql"), "ALTER TABLE users DROP COLUMN email;");
    List<String> ran = new ArrayList<>();
    RollbackStrategy code = new RollbackStrategy() {
      @Override
      public String describe() {
        return "code to v1";
      }

      @Override
      public Checkpoint checkpoint(RollbackContext ctx) {
        ran.add("checkpoint");
        return Checkpoint.of("v2");
      }

      @Override
      public void rollback(RollbackContext ctx) {
        ran.add("rollback");
      }

      @Override
      public void restore(RollbackContext ctx, Checkpoint checkpoint) {
        ran.add("restore");
      }
    };
    RollbackPlan.Builder plan = RollbackPlan.builder("api").lock(TargetLock.inDirectory(dir.resolve("l")))
        .journal(Journal.jsonLines(dir.resolve("j.jsonl"))).logging(false);

    RollbackReport r = plan.step(code).step(MigrationRisk.in(dir).between("1", "2").guard()).build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).contains("code-only rollback from 2 to 1").contains("DROP COLUMN email")
        .contains("Add a DbRestoreRollback step");
    assertThat(ran).isEmpty();

    Files.writeString(dir.resolve("V2__drop.sql"), "ALTER TABLE users ADD COLUMN note text;");
    RollbackReport ok = RollbackPlan.builder("api").lock(TargetLock.inDirectory(dir.resolve("l")))
        .journal(Journal.jsonLines(dir.resolve("j.jsonl"))).logging(false).step(code)
        .step(MigrationRisk.in(dir).between("1", "2").guard()).build().run();
    assertThat(ok.outcome()).isEqualTo(Outcome.ROLLED_BACK);
  }
}
