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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * <p>Run it as rollback-db/README.md shows (build with the reactor's classpath, then {@code java -cp ...}).
 * Arguments: {@code [scale] [jobs] [rounds]}, default {@code 70 2 3}; every figure is the median of the rounds.
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
   * @param args {@code [scale] [jobs] [rounds]}
   * @throws Exception when a step fails
   */
  public static void main(String[] args) throws Exception {
    int scale = args.length > 0 ? Integer.parseInt(args[0]) : 70;
    int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    TestEnvironment env = TestEnvironment.load();
    Secret pw = Secret.of(env.get("pg.password"));
    PostgresDatabase db = PostgresDatabase.named("rbdb_bench").host(env.get("pg.host")).port(env.port("pg.port"))
        .user(env.get("pg.user")).password(pw);
    new DbRestoreBenchmark(db, pw).run(scale, jobs, reps);
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

  private void run(int scale, int jobs, int reps) throws Exception {
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
      json.put("catalog_backup_Fc_s", dumpFc);
      json.put("pg_dump_Fc_bytes", Files.size(Path.of(fc.path())));
      json.put("catalog_backup_plain_gz_s", dumpGz);
      json.put("pg_dump_plain_gz_bytes", Files.size(Path.of(gz.path())));
      System.out.printf(Locale.ROOT, "backups through BackupCatalog (dump, sha256, manifest): -Fc %.1f s (%.0f MB),"
          + " plain+gzip %.1f s (%.0f MB)%n", dumpFc, Files.size(Path.of(fc.path())) / 1e6, dumpGz,
          Files.size(Path.of(gz.path())) / 1e6);

      List<Double> seed = new ArrayList<>();
      List<Double> dump = new ArrayList<>();
      List<Double> restoreJ = new ArrayList<>();
      List<Double> plain = new ArrayList<>();
      List<Double> swapTotal = new ArrayList<>();
      List<Double> swapDown = new ArrayList<>();
      List<Double> inPlaceTotal = new ArrayList<>();
      List<Double> inPlaceDown = new ArrayList<>();
      String plainFile = dir.resolve("plain.dump").toString();
      for (int rep = 1; rep <= reps; rep++) {
        // 1. seed 002: gunzip | psql (into a fresh database, so the comparison is like for like)
        seed.add(time(() -> {
          freshDatabase("rbdb_bench_seed002");
          sh("gunzip -c " + gz.path() + " | psql -X -q -v ON_ERROR_STOP=1 -d rbdb_bench_seed002 >/dev/null");
        }));
        check(rows, accounts("rbdb_bench_seed002"), "seed 002's restore");
        dropLike("rbdb_bench_seed002");

        // 2. plain pg_dump -Fc, then pg_restore -j N into a fresh database
        dump.add(time(() -> sh("pg_dump -Fc -f " + plainFile + " rbdb_bench")));
        restoreJ.add(time(() -> {
          freshDatabase("rbdb_bench_pgr");
          sh("pg_restore -d rbdb_bench_pgr -j " + jobs + " --exit-on-error " + plainFile);
        }));
        plain.add(dump.get(dump.size() - 1) + restoreJ.get(restoreJ.size() - 1));
        check(rows, accounts("rbdb_bench_pgr"), "pg_restore");
        dropLike("rbdb_bench_pgr");

        // 3. DbRestoreRollback, swap; 4. in place. The writers are callbacks timing their own downtime.
        double[] swap = rollback(dir, fc, jobs, false);
        swapTotal.add(swap[0]);
        swapDown.add(swap[1]);
        check(rows, accounts("rbdb_bench"), "DbRestoreRollback (swap)");
        dropLike("rbdb_bench_pre_rb_");
        double[] inPlace = rollback(dir, fc, jobs, true);
        inPlaceTotal.add(inPlace[0]);
        inPlaceDown.add(inPlace[1]);
        check(rows, accounts("rbdb_bench"), "DbRestoreRollback (in place)");
        System.out.printf(Locale.ROOT, "round %d: seed002 %.1f s, pg_dump -Fc %.1f s + pg_restore -j %d %.1f s,"
            + " swap %.1f s (down %.3f s), in place %.1f s (down %.1f s)%n", rep, seed.get(rep - 1),
            dump.get(rep - 1), jobs, restoreJ.get(rep - 1), swap[0], swap[1], inPlace[0], inPlace[1]);
      }
      json.put("rounds", reps);
      json.put("seed002_gunzip_psql_s", median(seed));
      json.put("pg_dump_Fc_s", median(dump));
      json.put("pg_restore_j_s", median(restoreJ));
      json.put("plain_pg_dump_Fc_plus_pg_restore_j_s", median(plain));
      json.put("dbrestore_swap_end_to_end_s", median(swapTotal));
      json.put("dbrestore_swap_writers_down_s", median(swapDown));
      json.put("dbrestore_in_place_end_to_end_s", median(inPlaceTotal));
      json.put("dbrestore_in_place_writers_down_s", median(inPlaceDown));
      double ratio = median(swapTotal) / median(plain);
      json.put("swap_end_to_end_over_plain_dump_restore", ratio);
      System.out.printf(Locale.ROOT, "medians of %d rounds:%n", reps);
      System.out.printf(Locale.ROOT, "  seed 002 gunzip | psql:          %6.1f s   writers down %6.1f s%n",
          median(seed), median(seed));
      System.out.printf(Locale.ROOT, "  pg_restore -j %d from -Fc:        %6.1f s   writers down %6.1f s%n", jobs,
          median(restoreJ), median(restoreJ));
      System.out.printf(Locale.ROOT, "  plain pg_dump -Fc + pg_restore:  %6.1f s%n", median(plain));
      System.out.printf(Locale.ROOT, "  DbRestoreRollback, swap:         %6.1f s   writers down %6.3f s  (%.2fx plain"
          + " dump + restore; safety backup, restore into a new database, checks, rename)%n", median(swapTotal),
          median(swapDown), ratio);
      System.out.printf(Locale.ROOT, "  DbRestoreRollback, in place:     %6.1f s   writers down %6.1f s%n",
          median(inPlaceTotal), median(inPlaceDown));
    } finally {
      dropLike("rbdb_bench");
      local.run(Command.of("rm", "-rf", "--", dir.toString()));
    }
    StringBuilder sb = new StringBuilder("{");
    json.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
        .append(v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : v));
    System.out.println(sb.append('}'));
  }

  private static final Pattern RAN = Pattern.compile("(?s)ran on [^:]*: (.*) -> exit 0 in (\\d+) ms");

  private static String shorten(String cmd) {
    String one = cmd.replaceAll("\\s+", " ").replaceAll(" -h \\S+ -p \\d+ -U \\S+ -w", "");
    return one.length() <= 110 ? one : one.substring(0, 107) + "...";
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    java.util.Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private double[] rollback(Path dir, Backup backup, int jobs, boolean inPlace) {
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
    // where the time went: every command the step ran, with its duration
    for (String a : r.steps().get(0).actions()) {
      Matcher m = RAN.matcher(a);
      if (m.matches()) {
        System.out.printf(Locale.ROOT, "    %s %6d ms  %s%n", inPlace ? "in place" : "swap    ",
            Long.parseLong(m.group(2)), shorten(m.group(1)));
      }
    }
    return new double[] {total, (started.get() - stopped.get()) / 1e9};
  }

  private static void check(long expected, long actual, String what) {
    if (expected != actual) {
      throw new IllegalStateException(what + " left " + actual + " pgbench_accounts rows, expected " + expected);
    }
  }
}
