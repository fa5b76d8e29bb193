package dev.rollback.db;

import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Classifies the migrations between two versions by seed 004's lists, so a plan can refuse a code-only rollback
 * that would leave data behind: safe (ADD a nullable column, CREATE, INSERT), dangerous (DROP COLUMN/TABLE, a type
 * change, NOT NULL without a default, UPDATE/DELETE/TRUNCATE data transforms, RENAME), and review (anything it does
 * not recognise).
 *
 * <pre>{@code
 * MigrationRisk.Report risk = MigrationRisk.in(Path.of("db/migrations")).between("3", "5");
 * RollbackPlan.builder("api").step(DbRestoreRollback.of(db).fromLatest(catalog)).step(codeRollback)
 *     .step(risk.guard())   // refuses unless a DbRestoreRollback step ran its preflight before it
 *     .build();
 * }</pre>
 *
 * <p>Reads SQL files ({@code V3__add.sql}, {@code U3__} and {@code R__} files skipped; {@code 003_add.sql}),
 * alembic scripts (ordered by their {@code down_revision} chain; the {@code upgrade()} body only) and Rails
 * migrations ({@code 20240101120000_add.rb}; the part before {@code def down}). Immutable.
 */
public final class MigrationRisk {
  private static final Pattern FLYWAY = Pattern.compile("V(\\d+(?:[._]\\d+)*)__.*\\.sql");
  private static final Pattern NUMBERED = Pattern.compile("(\\d+)[_-].*\\.(sql|rb)|(\\d+)\\.sql");
  private static final Pattern ALEMBIC_REV = Pattern.compile("(?m)^revision\\s*(?::[^=]*)?=\\s*['\"]([^'\"]+)['\"]");
  private static final Pattern ALEMBIC_DOWN = Pattern.compile(
      "(?m)^down_revision\\s*(?::[^=]*)?=\\s*(?:['\"]([^'\"]+)['\"]|None)");

  /** How a change weighs on a code-only rollback. */
  public enum Level {
    /** Old code keeps working and no data is lost. */
    SAFE,
    /** Not recognised: read it. */
    REVIEW,
    /** Data or its shape changes one way: a code-only rollback leaves it behind. */
    DANGEROUS
  }

  /**
   * One classified change.
   *
   * @param migration the file
   * @param version its version (or alembic revision)
   * @param level the level
   * @param statement the statement or operation, shortened
   * @param reason why it has that level
   */
  public record Finding(String migration, String version, Level level, String statement, String reason) {
    @Override
    public String toString() {
      return level + " " + migration + ": " + statement + " (" + reason + ")";
    }
  }

  /**
   * The migrations between two versions and what they do.
   *
   * @param from the version rolled back to (exclusive)
   * @param to the version rolled back from (inclusive)
   * @param migrations the files in between, in order
   * @param findings every classified change, in order
   */
  public record Report(String from, String to, List<String> migrations, List<Finding> findings) {
    /** Copies the lists. */
    public Report {
      migrations = List.copyOf(migrations);
      findings = List.copyOf(findings);
    }

    /** @return true when any change is dangerous */
    public boolean dangerous() {
      return findings.stream().anyMatch(f -> f.level() == Level.DANGEROUS);
    }

    /** @return the dangerous changes */
    public List<Finding> dangerousFindings() {
      return findings.stream().filter(f -> f.level() == Level.DANGEROUS).toList();
    }

    /** @return one line per dangerous change, or a line saying there is none */
    public String summary() {
      List<Finding> d = dangerousFindings();
      return d.isEmpty() ? migrations.size() + " migration(s) between " + from + " and " + to + ", none dangerous"
          : d.size() + " dangerous change(s) between " + from + " and " + to + ": "
              + d.stream().map(Finding::toString).collect(Collectors.joining("; "));
    }

    /**
     * A plan step that refuses (in preflight, so nothing changes) a rollback across a dangerous change unless a
     * {@link DbRestoreRollback} step passed its preflight earlier in the same plan: put it after that step.
     *
     * @return the guard
     */
    public RollbackStrategy guard() {
      return new CodeRollbackGuard(this);
    }

    @Override
    public String toString() {
      return summary();
    }
  }

  private final Path dir;

  private MigrationRisk(Path dir) {
    this.dir = dir;
  }

  /**
   * @param directory a local directory of migrations
   * @return the classifier
   */
  public static MigrationRisk in(Path directory) {
    return new MigrationRisk(Objects.requireNonNull(directory, "directory"));
  }

  private record Migration(String file, String version, String text) {}

  /**
   * Classifies the migrations after {@code from} up to and including {@code to}: those a rollback from {@code to}
   * to {@code from} crosses.
   *
   * @param from the version rolled back to
   * @param to the version rolled back from
   * @return the report
   * @throws RollbackException when a version is not among the migrations (the message lists them)
   */
  public Report between(String from, String to) {
    List<Migration> all = load();
    List<String> versions = all.stream().map(Migration::version).toList();
    int a = from.equals("base") || from.equals("0") ? -1 : versions.indexOf(from);
    int b = versions.indexOf(to);
    if ((a < 0 && !(from.equals("base") || from.equals("0"))) || b < 0) {
      throw new RollbackException("version " + (b < 0 ? to : from) + " is not among the migrations in " + dir
          + "; found: " + String.join(", ", versions));
    }
    if (a > b) {
      throw new RollbackException("a rollback goes from a later version to an earlier one: " + to + " comes before "
          + from + " in " + dir);
    }
    List<Finding> findings = new ArrayList<>();
    List<String> files = new ArrayList<>();
    for (Migration m : all.subList(a + 1, b + 1)) {
      files.add(m.file);
      findings.addAll(classifyFile(m.file, m.version, m.text));
    }
    return new Report(from, to, files, findings);
  }

  private List<Migration> load() {
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(Files::isRegularFile).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list migrations in " + dir + ": " + e.getMessage(), e);
    }
    List<Migration> py = new ArrayList<>();
    List<Migration> other = new ArrayList<>();
    for (Path p : files) {
      String name = p.getFileName().toString();
      String text = read(p);
      if (name.endsWith(".py")) {
        Matcher r = ALEMBIC_REV.matcher(text);
        if (r.find()) {
          py.add(new Migration(name, r.group(1), text));
        }
        continue;
      }
      Matcher f = FLYWAY.matcher(name);
      Matcher n = NUMBERED.matcher(name);
      if (f.matches()) {
        other.add(new Migration(name, f.group(1).replace('_', '.'), text));
      } else if (n.matches()) {
        other.add(new Migration(name, n.group(1) != null ? n.group(1) : n.group(3), text));
      }
    }
    if (!py.isEmpty()) {
      return alembicOrder(py);
    }
    other.sort(Comparator.comparing(Migration::version, MigrationRisk::compareVersions));
    return other;
  }

  private static List<Migration> alembicOrder(List<Migration> py) {
    List<Migration> ordered = new ArrayList<>();
    String prev = null;
    for (int i = 0; i < py.size(); i++) {
      Migration next = null;
      for (Migration m : py) {
        Matcher d = ALEMBIC_DOWN.matcher(m.text);
        String down = d.find() ? d.group(1) : null;
        if (Objects.equals(down, prev)) {
          next = m;
          break;
        }
      }
      if (next == null) {
        break;
      }
      ordered.add(next);
      prev = next.version;
    }
    return ordered;
  }

  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long p = i < x.length ? Long.parseLong(x[i]) : 0;
      long q = i < y.length ? Long.parseLong(y[i]) : 0;
      if (p != q) {
        return Long.compare(p, q);
      }
    }
    return 0;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read migration " + p + ": " + e.getMessage(), e);
    }
  }

  static List<Finding> classifyFile(String file, String version, String text) {
    if (file.endsWith(".py")) {
      return MigrationRules.alembic(file, version, text);
    }
    if (file.endsWith(".rb")) {
      return MigrationRules.rails(file, version, text);
    }
    return MigrationRules.sql(file, version, text);
  }

  /**
   * Classifies SQL text on its own, statement by statement.
   *
   * @param sql one or more statements
   * @return a finding per statement (or per clause of an {@code ALTER TABLE})
   */
  public static List<Finding> classifySql(String sql) {
    return MigrationRules.sql("(sql)", "-", sql);
  }
}
