package dev.rollback.db;

import dev.rollback.db.MigrationRisk.Finding;
import dev.rollback.db.MigrationRisk.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Seed 004's safe and dangerous lists as patterns over SQL statements, alembic ops and Rails migration methods. */
final class MigrationRules {
  private static final Pattern ALTER = Pattern.compile("(?is)ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?"
      + "(\\S+)\\s+(.*)");
  private static final Pattern DROP_COL = Pattern.compile("(?is)DROP\\s+(?:COLUMN\\s+)?(?!CONSTRAINT\\b|INDEX\\b|KEY\\b"
      + "|PRIMARY\\b|FOREIGN\\b|CHECK\\b|DEFAULT\\b|NOT\\b|PARTITION\\b|IDENTITY\\b|EXPRESSION\\b)[\"`\\w].*");

  private MigrationRules() {}

  private record Rule(Pattern p, Level level, String reason) {}

  private static final List<Rule> STATEMENTS = List.of(
      new Rule(Pattern.compile("(?is)DROP\\s+TABLE\\b.*"), Level.DANGEROUS, "drops a table and its rows"),
      new Rule(Pattern.compile("(?is)DROP\\s+(SCHEMA|DATABASE)\\b.*"), Level.DANGEROUS, "drops a schema and its data"),
      new Rule(Pattern.compile("(?is)TRUNCATE\\b.*"), Level.DANGEROUS, "deletes every row"),
      new Rule(Pattern.compile("(?is)DELETE\\s+FROM\\b.*"), Level.DANGEROUS, "deletes rows"),
      new Rule(Pattern.compile("(?is)UPDATE\\s+\\S+\\s+SET\\b.*"), Level.DANGEROUS,
          "rewrites rows: a one-way data transform"),
      new Rule(Pattern.compile("(?is)RENAME\\s+TABLE\\b.*"), Level.DANGEROUS, "renames a table: old code loses it"),
      new Rule(Pattern.compile("(?is)(EXEC\\s+)?SP_RENAME\\b.*"), Level.DANGEROUS, "renames: old code loses it"),
      new Rule(Pattern.compile("(?is)CREATE\\b.*"), Level.SAFE, "creates something new"),
      new Rule(Pattern.compile("(?is)INSERT\\b.*"), Level.SAFE, "adds rows"),
      new Rule(Pattern.compile("(?is)(COMMENT|GRANT|SET|BEGIN|COMMIT|START\\s+TRANSACTION)\\b.*"), Level.SAFE,
          "changes no data"));

  static List<Finding> sql(String file, String version, String text) {
    List<Finding> out = new ArrayList<>();
    for (String stmt : statements(text)) {
      Matcher alter = ALTER.matcher(stmt);
      if (alter.matches()) {
        for (String clause : clauses(alter.group(2))) {
          out.add(alterClause(file, version, "ALTER TABLE " + alter.group(1) + " " + clause, clause));
        }
        continue;
      }
      Finding f = null;
      for (Rule r : STATEMENTS) {
        if (r.p.matcher(stmt).matches()) {
          f = new Finding(file, version, r.level, shorten(stmt), r.reason);
          break;
        }
      }
      out.add(f != null ? f : new Finding(file, version, Level.REVIEW, shorten(stmt), "not recognised: read it"));
    }
    return out;
  }

  private static Finding alterClause(String file, String version, String stmt, String clause) {
    String c = clause.strip();
    String u = c.toUpperCase(Locale.ROOT);
    Level l;
    String why;
    if (u.matches("(?s)RENAME\\b.*")) {
      l = Level.DANGEROUS;
      why = "renames: old code looks for the old name";
    } else if (DROP_COL.matcher(c).matches()) {
      l = Level.DANGEROUS;
      why = "drops a column and its data";
    } else if (u.matches("(?s)ALTER\\s+(COLUMN\\s+)?\\S+\\s+(SET\\s+DATA\\s+)?TYPE\\b.*")
        || u.matches("(?s)(MODIFY|CHANGE)\\b.*")) {
      l = Level.DANGEROUS;
      why = "changes a column's type";
    } else if (u.matches("(?s)ALTER\\s+(COLUMN\\s+)?\\S+\\s+SET\\s+NOT\\s+NULL.*")) {
      l = Level.DANGEROUS;
      why = "makes a column NOT NULL: old code inserting NULL fails";
    } else if (u.matches("(?s)ADD\\b.*")) {
      boolean addsColumn = !u.matches("(?s)ADD\\s+(CONSTRAINT|INDEX|KEY|PRIMARY|FOREIGN|UNIQUE|CHECK)\\b.*");
      if (addsColumn && u.contains("NOT NULL") && !u.contains("DEFAULT")) {
        l = Level.DANGEROUS;
        why = "adds a NOT NULL column without a default: old code's inserts fail";
      } else {
        l = Level.SAFE;
        why = addsColumn ? "adds a nullable (or defaulted) column" : "adds a constraint or index";
      }
    } else {
      l = Level.REVIEW;
      why = "not recognised: read it";
    }
    return new Finding(file, version, l, shorten(stmt), why);
  }

  private static final Pattern OP = Pattern.compile("op\\.(\\w+)\\s*\\(");

  static List<Finding> alembic(String file, String version, String text) {
    int up = text.indexOf("def upgrade");
    int down = text.indexOf("def downgrade");
    String body = up < 0 ? text : text.substring(up, down > up ? down : text.length());
    List<Finding> out = new ArrayList<>();
    Matcher m = OP.matcher(body);
    while (m.find()) {
      String call = call(body, m.start());
      String op = m.group(1);
      String flat = call.replaceAll("\\s+", " ");
      Level l;
      String why;
      switch (op) {
        case "drop_column" -> { l = Level.DANGEROUS; why = "drops a column and its data"; }
        case "drop_table" -> { l = Level.DANGEROUS; why = "drops a table and its rows"; }
        case "rename_table" -> { l = Level.DANGEROUS; why = "renames a table: old code loses it"; }
        case "alter_column" -> {
          if (flat.contains("new_column_name")) {
            l = Level.DANGEROUS; why = "renames a column: old code looks for the old name";
          } else if (flat.contains("type_")) {
            l = Level.DANGEROUS; why = "changes a column's type";
          } else if (flat.matches(".*nullable\\s*=\\s*False.*")) {
            l = Level.DANGEROUS; why = "makes a column NOT NULL: old code inserting NULL fails";
          } else {
            l = Level.REVIEW; why = "alters a column: read it";
          }
        }
        case "add_column" -> {
          boolean notNull = flat.matches(".*nullable\\s*=\\s*False.*") && !flat.contains("server_default");
          l = notNull ? Level.DANGEROUS : Level.SAFE;
          why = notNull ? "adds a NOT NULL column without a default: old code's inserts fail"
              : "adds a nullable (or defaulted) column";
        }
        case "execute" -> {
          Matcher s = Pattern.compile("(?s)(?:\"\"\"|'''|\"|')(.*?)(?:\"\"\"|'''|\"|')").matcher(call);
          if (s.find()) {
            for (Finding f : sql(file, version, s.group(1))) {
              out.add(new Finding(file, version, f.level(), "op.execute: " + f.statement(), f.reason()));
            }
            continue;
          }
          l = Level.REVIEW; why = "runs SQL built at run time: read it";
        }
        default -> {
          l = op.startsWith("create_") || op.startsWith("add_") || op.equals("bulk_insert") ? Level.SAFE
              : Level.REVIEW;
          why = l == Level.SAFE ? "creates something new" : "not recognised: read it";
        }
      }
      out.add(new Finding(file, version, l, shorten(flat), why));
    }
    return out;
  }

  private static final Pattern RB = Pattern.compile("(?m)^\\s*(remove_column|drop_table|rename_column|rename_table"
      + "|change_column_null|change_column|add_column|create_table|add_index|add_reference|execute)\\b(.*)$");

  static List<Finding> rails(String file, String version, String text) {
    int down = text.indexOf("def down");
    String body = down < 0 ? text : text.substring(0, down);
    List<Finding> out = new ArrayList<>();
    Matcher m = RB.matcher(body);
    while (m.find()) {
      String method = m.group(1);
      String args = m.group(2);
      String line = shorten((method + args).strip());
      switch (method) {
        case "remove_column" -> out.add(new Finding(file, version, Level.DANGEROUS, line, "drops a column and its data"));
        case "drop_table" -> out.add(new Finding(file, version, Level.DANGEROUS, line, "drops a table and its rows"));
        case "rename_column", "rename_table" -> out.add(new Finding(file, version, Level.DANGEROUS, line,
            "renames: old code looks for the old name"));
        case "change_column" -> out.add(new Finding(file, version, Level.DANGEROUS, line, "changes a column's type"));
        case "change_column_null" -> out.add(args.contains("false")
            ? new Finding(file, version, Level.DANGEROUS, line, "makes a column NOT NULL: old code inserting NULL fails")
            : new Finding(file, version, Level.SAFE, line, "allows NULL"));
        case "add_column" -> out.add(args.contains("null: false") && !args.contains("default:")
            ? new Finding(file, version, Level.DANGEROUS, line, "adds a NOT NULL column without a default")
            : new Finding(file, version, Level.SAFE, line, "adds a nullable (or defaulted) column"));
        case "execute" -> {
          Matcher s = Pattern.compile("(?s)[\"'](.*?)[\"']").matcher(args);
          out.addAll(s.find() ? sql(file, version, s.group(1))
              : List.of(new Finding(file, version, Level.REVIEW, line, "runs SQL: read it")));
        }
        default -> out.add(new Finding(file, version, Level.SAFE, line, "creates something new"));
      }
    }
    return out;
  }

  /** The text of a call from its start to its matching parenthesis. */
  private static String call(String s, int start) {
    int depth = 0;
    for (int i = s.indexOf('(', start); i >= 0 && i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '(') {
        depth++;
      } else if (ch == ')' && --depth == 0) {
        return s.substring(start, i + 1);
      }
    }
    return s.substring(start);
  }

  /** Splits SQL on semicolons outside quotes, after removing comments. */
  static List<String> statements(String sql) {
    String noComments = sql.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)--.*$", "");
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    char quote = 0;
    for (char ch : noComments.toCharArray()) {
      if (quote != 0) {
        cur.append(ch);
        if (ch == quote) {
          quote = 0;
        }
      } else if (ch == '\'' || ch == '"' || ch == '`') {
        quote = ch;
        cur.append(ch);
      } else if (ch == ';') {
        add(out, cur);
      } else {
        cur.append(ch);
      }
    }
    add(out, cur);
    return out;
  }

  private static void add(List<String> out, StringBuilder cur) {
    String s = cur.toString().strip().replaceAll("\\s+", " ");
    if (!s.isEmpty()) {
      out.add(s);
    }
    cur.setLength(0);
  }

  /** Splits ALTER TABLE's clauses on commas outside parentheses and quotes. */
  private static List<String> clauses(String s) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    char quote = 0;
    int from = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (quote != 0) {
        if (ch == quote) {
          quote = 0;
        }
      } else if (ch == '\'' || ch == '"' || ch == '`') {
        quote = ch;
      } else if (ch == '(') {
        depth++;
      } else if (ch == ')') {
        depth--;
      } else if (ch == ',' && depth == 0) {
        out.add(s.substring(from, i).strip());
        from = i + 1;
      }
    }
    out.add(s.substring(from).strip());
    return out;
  }

  private static String shorten(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}
