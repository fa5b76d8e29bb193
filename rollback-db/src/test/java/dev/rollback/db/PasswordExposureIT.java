package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.Outcome;
import dev.rollback.RollbackListener;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The password never appears in any process's argv while the tools run (a background thread reads every
 * /proc/PID/cmdline throughout), nor in the logs, the events, the report or the journal, on both engines and with
 * both ways of delivering it.
 */
class PasswordExposureIT {
  @TempDir
  Path tmp;
  DbFixture fx;

  @AfterEach
  void drop() throws Exception {
    if (fx != null) {
      fx.dropAll();
    }
  }

  @ParameterizedTest
  @EnumSource(PasswordDelivery.class)
  void postgresPasswordIsInNoArgvLogOrReport(PasswordDelivery delivery) throws Exception {
    fx = DbFixture.postgres();
    runAndScan(fx.pg().passwordDelivery(delivery), List.of("pg_dump", "pg_restore"), delivery);
  }

  @ParameterizedTest
  @EnumSource(PasswordDelivery.class)
  void mariadbPasswordIsInNoArgvLogOrReport(PasswordDelivery delivery) throws Exception {
    fx = DbFixture.mariadb();
    runAndScan(fx.maria().passwordDelivery(delivery), List.of("mariadb-dump", "mariadb"), delivery);
  }

  private void runAndScan(Database db, List<String> tools, PasswordDelivery delivery) throws Exception {
    fx.createWithData(2000);
    BackupCatalog catalog = BackupCatalog.at(tmp.resolve("backups"));
    String secret = fx.password.reveal();
    List<String> events = Collections.synchronizedList(new ArrayList<>());
    RollbackListener listener = new RollbackListener() {
      @Override
      public void onAction(String target, int index, String action) {
        events.add(action);
      }

      @Override
      public void onRestoreStarted(String target, String reason) {
        events.add(reason);
      }
    };
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    PrintStream err = System.err;
    RollbackReport report;
    ProcScanner scan = new ProcScanner(secret);
    try {
      System.setErr(new PrintStream(new TeeStream(err, logs), true, StandardCharsets.UTF_8));
      catalog.create(db, BackupCatalog.PRE_DEPLOYMENT);
      fx.destructiveMigration();
      report = RollbackPlan.builder("pw-" + fx.name).lock(TargetLock.inDirectory(tmp.resolve("locks")))
          .journal(Journal.jsonLines(tmp.resolve("journal.jsonl"))).listener(listener)
          .step(DbRestoreRollback.of(db).fromLatest(catalog)).build().run();
    } finally {
      System.setErr(err);
      scan.close();
    }

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.ROLLED_BACK);
    assertThat(scan.scans).isGreaterThan(10);
    assertThat(scan.toolsSeen).as("the scanner saw the tools run").containsAll(tools);
    assertThat(scan.leaks).as("argv holding the password").isEmpty();
    String log = logs.toString(StandardCharsets.UTF_8);
    assertThat(log).as("the plan logged its steps").contains("rollback started");
    assertThat(log).doesNotContain(secret);
    assertThat(report.toJson()).doesNotContain(secret);
    assertThat(report.toText()).doesNotContain(secret);
    assertThat(String.join("\n", events)).isNotEmpty().doesNotContain(secret);
    assertThat(Files.readString(tmp.resolve("journal.jsonl"))).doesNotContain(secret);
    for (Path p : Files.list(tmp.resolve("backups")).toList()) {
      if (p.toString().endsWith(".manifest")) {
        assertThat(Files.readString(p)).doesNotContain(secret);
      }
    }
    try (Stream<Path> left = Files.list(Path.of("/tmp")).filter(p -> p.getFileName().toString()
        .startsWith(".rollback-pw-"))) {
      assertThat(left).as("password files removed").isEmpty();
    }
    if (delivery == PasswordDelivery.FILE) {
      assertThat(scan.passwordFileModes).as("password files seen while the tools ran").containsOnly("rw-------");
      assertThat(report.toText()).doesNotContain("PGPASSWORD=").doesNotContain("MYSQL_PWD=");
    }
  }

  /** Writes to two streams. */
  static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
