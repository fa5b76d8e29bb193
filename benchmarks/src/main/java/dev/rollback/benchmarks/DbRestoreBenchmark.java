package dev.rollback.benchmarks;

import dev.rollback.Outcome;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.db.Backup;
import dev.rollback.db.BackupCatalog;
import dev.rollback.db.BackupFormat;
import dev.rollback.db.DbRestoreRollback;
import dev.rollback.db.PostgresDatabase;
import dev.rollback.db.Writers;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.exec.Secret;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.TestEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Restoring a pgbench database (scale 70, about 1 GB) four ways, side by side in one run, against the PostgreSQL
 * of {@code scripts/test-env.sh}:
 * <ol>
 *   <li>seed 002's method: {@code gunzip -c backup.sql.gz | psql -v ON_ERROR_STOP=1} into a fresh database;
 *   <li>{@code pg_restore -j 2} from a {@code pg_dump -Fc} into a fresh database (and, added to the dump's time,
 *       the plain {@code pg_dump -Fc} + {@code pg_restore} reference);
 *   <li>DbRestoreRollback end to end, safety backup included, restore into a new database and rename swap;
 *   <li>DbRestoreRollback in place.
 * </ol>
 * and the writers' downtime (from the stop callback to the start callback) of 3 and 4; for 1 and 2 the writers
 * are down for the whole restore. Prints human lines, then one JSON object.
 *
 * <p>Run: {@code mvn -q -B -pl benchmarks -am package -DskipTests && java -cp "$(cat benchmarks/cp.txt)"...}; see
 * rollback-db/README.md for the exact command. Arguments: {@code [scale] [jobs]}, default {@code 70 2}.
 */
public final class DbRestoreBenchmark {
  private final LocalExecutor local = LocalExecutor.create();
  private final PostgresDatabase db;
  private final Secret password;
  private final Map<String, Object> json = new LinkedHashMap<>();

  private DbRestoreBenchmark(PostgresDatabase db, Secret password) {
    this.db = db;
    this.password = password;
  }

  /**
   * Runs the benchmark.
   *
   * @param args {@code [scale] [jobs]}
   * @throws Exception when a step fails
   */
  public static void main(String[] args) throws Exception {
    int scale = args.length > 0 ? Integer.parseInt(args[0]) : 70;
    int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    TestEnvironment env = TestEnvironment.load();
    Secret pw = Secret.of(env.get("pg.password"));
    PostgresDatabase db = PostgresDatabase.named("rbdb_bench").host(env.get("pg.host")).port(env.port("pg.port"))
        .user(env.get("pg.user")).password(pw);
    new DbRestoreBenchmark(db, pw).run(scale, jobs);
  }

  private ExecResult sh(String script) {
    return local.run(Command.of("sh", "-c", script).withEnv("PGPASSWORD", password)
        .withEnv("PGHOST", db.host()).withEnv("PGPORT", String.valueOf(db.port())).withEnv("PGUSER", db.user()))
        .requireSuccess();
  }

  private static double time(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  private static <T> T timed(double[] out, Supplier<T> s) {
    long t0 = System.nanoTime();
    T v = s.get();
    out[0] = (System.nanoTime() - t0) / 1e9;
    return v;
  }

  private void freshDatabase(String name) {
    sh("psql -X -q -d postgres -v ON_ERROR_STOP=1 -c 'DROP DATABASE IF EXISTS " + name + " WITH (FORCE)' -c "
        + "'CREATE DATABASE " + name + "'");
  }

  private void dropLike(String prefix) {
    sh("for d in $(psql -X -At -d postgres -c \"SELECT datname FROM pg_database WHERE datname LIKE '" + prefix
        + "%'\"); do psql -X -q -d postgres -c \"DROP DATABASE \\\"$d\\\" WITH (FORCE)\"; done");
  }

  private long accounts(String dbName) {
    return Long.parseLong(sh("psql -X -At -d " + dbName + " -c 'SELECT count(*) FROM pgbench_accounts'")
        .stdoutTrimmed());
  }

  private void run(int scale, int jobs) throws Exception {
    Path dir = Files.createTempDirectory("rbdb-bench-");
    BackupCatalog catalog = BackupCatalog.at(dir);
    RollbackContext ctx = RollbackContext.standalone("bench");
    System.out.printf(Locale.ROOT, "pgbench scale %d, %d restore jobs, %d cores, backups in %s%n", scale, jobs,
        Runtime.getRuntime().availableProcessors(), dir);
    try {
      dropLike("rbdb_bench");
      freshDatabase("rbdb_bench");
      double init = time(() -> sh("pgbench -i -q -s " + scale + " rbdb_bench 2>&1 | tail -1"));
      long bytes = Long.parseLong(sh("psql -X -At -d postgres -c \"SELECT pg_database_size('rbdb_bench')\"")
          .stdoutTrimmed());
      long rows = accounts("rbdb_bench");
      json.put("scale", scale);
      json.put("jobs", jobs);
      json.put("database_bytes", bytes);
      json.put("pgbench_accounts_rows", rows);
      json.put("pgbench_init_s", init);
      System.out.printf(Locale.ROOT, "database: %.0f MB, %d pgbench_accounts rows (pgbench -i in %.1f s)%n",
          bytes / 1e6, rows, init);

      double[] t = new double[1];
      Backup fc = timed(t, () -> catalog.create(ctx, db, "pre-deployment", BackupFormat.PG_CUSTOM));
      double dumpFc = t[0];
      Backup gz = timed(t, () -> catalog.create(ctx, db, "pre-deployment", BackupFormat.PG_SQL_GZ));
      double dumpGz = t[0];
      json.put("pg_dump_Fc_s", dumpFc);
      json.put("pg_dump_Fc_bytes", Files.size(Path.of(fc.path())));
      json.put("pg_dump_plain_gz_s", dumpGz);
      json.put("pg_dump_plain_gz_bytes", Files.size(Path.of(gz.path())));
      System.out.printf(Locale.ROOT, "backups: -Fc %.1f s (%.0f MB), plain+gzip %.1f s (%.0f MB); with manifests%n",
          dumpFc, Files.size(Path.of(fc.path())) / 1e6, dumpGz, Files.size(Path.of(gz.path())) / 1e6);

      // 1. seed 002: gunzip | psql (into a fresh database, so the comparison is like for like)
      double seed = time(() -> {
        freshDatabase("rbdb_bench_seed002");
        sh("gunzip -c " + gz.path() + " | psql -X -q -v ON_ERROR_STOP=1 -d rbdb_bench_seed002 >/dev/null");
      });
      check(rows, accounts("rbdb_bench_seed002"), "seed 002's restore");
      dropLike("rbdb_bench_seed002");

      // 2. pg_restore -j N from -Fc
      double restoreJ = time(() -> {
        freshDatabase("rbdb_bench_pgr");
        sh("pg_restore -d rbdb_bench_pgr -j " + jobs + " --exit-on-error " + fc.path());
      });
      check(rows, accounts("rbdb_bench_pgr"), "pg_restore");
      dropLike("rbdb_bench_pgr");
      json.put("seed002_gunzip_psql_s", seed);
      json.put("pg_restore_j_s", restoreJ);
      json.put("plain_pg_dump_Fc_plus_pg_restore_j_s", dumpFc + restoreJ);
      System.out.printf(Locale.ROOT, "seed 002 gunzip | psql: %.1f s (writers down %.1f s)%n", seed, seed);
      System.out.printf(Locale.ROOT, "pg_restore -j %d: %.1f s (writers down %.1f s); plain pg_dump -Fc +"
          + " pg_restore: %.1f s%n", jobs, restoreJ, restoreJ, dumpFc + restoreJ);

      // 3. DbRestoreRollback, swap; 4. in place. The writers are callbacks timing their own downtime.
      Map<String, Double> swap = rollback(dir, fc, jobs, false);
      check(rows, accounts("rbdb_bench"), "DbRestoreRollback (swap)");
      dropLike("rbdb_bench_pre_rb_");
      Map<String, Double> inPlace = rollback(dir, fc, jobs, true);
      check(rows, accounts("rbdb_bench"), "DbRestoreRollback (in place)");
      json.put("dbrestore_swap_end_to_end_s", swap.get("total"));
      json.put("dbrestore_swap_writers_down_s", swap.get("down"));
      json.put("dbrestore_in_place_end_to_end_s", inPlace.get("total"));
      json.put("dbrestore_in_place_writers_down_s", inPlace.get("down"));
      double ratio = swap.get("total") / (dumpFc + restoreJ);
      json.put("swap_end_to_end_over_plain_dump_restore", ratio);
      System.out.printf(Locale.ROOT, "DbRestoreRollback swap, end to end (safety backup + restore into new +"
          + " checks + rename): %.1f s = %.2fx plain pg_dump+pg_restore; writers down %.3f s%n",
          swap.get("total"), ratio, swap.get("down"));
      System.out.printf(Locale.ROOT, "DbRestoreRollback in place, end to end: %.1f s; writers down %.1f s%n",
          inPlace.get("total"), inPlace.get("down"));
    } finally {
      dropLike("rbdb_bench");
      local.run(Command.of("rm", "-rf", "--", dir.toString()));
    }
    StringBuilder sb = new StringBuilder("{");
    json.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
        .append(v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : v));
    System.out.println(sb.append('}'));
  }

  private Map<String, Double> rollback(Path dir, Backup backup, int jobs, boolean inPlace) {
    AtomicLong stopped = new AtomicLong();
    AtomicLong started = new AtomicLong();
    DbRestoreRollback step = DbRestoreRollback.of(db).from(backup).jobs(jobs)
        .stopWriters(Writers.callbacks("benchmark writers", () -> stopped.set(System.nanoTime()),
            () -> started.set(System.nanoTime())));
    if (inPlace) {
      step = step.restoreInPlace();
    }
    RollbackPlan plan = RollbackPlan.builder("bench").logging(false).lock(TargetLock.inDirectory(dir.resolve("lock")))
        .journal(Journal.jsonLines(dir.resolve("journal.jsonl"))).step(step).build();
    long t0 = System.nanoTime();
    RollbackReport r = plan.run();
    double total = (System.nanoTime() - t0) / 1e9;
    if (r.outcome() != Outcome.ROLLED_BACK) {
      throw new IllegalStateException("the benchmark's rollback ended " + r.outcome() + ":\n" + r.toText());
    }
    return Map.of("total", total, "down", (started.get() - stopped.get()) / 1e9);
  }

  private static void check(long expected, long actual, String what) {
    if (expected != actual) {
      throw new IllegalStateException(what + " left " + actual + " pgbench_accounts rows, expected " + expected);
    }
  }
}
