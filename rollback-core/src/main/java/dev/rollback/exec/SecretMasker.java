package dev.rollback.exec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SDK's one rule for hiding secrets in text that reaches logs, reports and exceptions (captured output,
 * container logs, error messages, command lines). Every module masks through this class.
 *
 * <p>What is a secret, and nothing else:
 * <ul>
 *   <li>the value of a {@link Secret};</li>
 *   <li>the value of an environment variable whose <em>name</em> says secret: by default, case-insensitively,
 *       {@code *PASSWORD*}, {@code *PASSWD*}, {@code *TOKEN*}, {@code *SECRET*}, {@code *KEY*},
 *       {@code *CREDENTIAL*}, {@code *PRIVATE*} ({@link #DEFAULT_NAME_PATTERNS}; add yours with
 *       {@link #withNamePatterns});</li>
 *   <li>any literal value added with {@link #withValue};</li>
 *   <li>the password of a URL's user info ({@code postgres://app:pw@db/app}) inside any of those values or inside
 *       any variable's value, whatever the variable's name ({@code DATABASE_URL}).</li>
 * </ul>
 * Other values ({@code PORT=8080}, {@code FEATURE=true}) are left alone, so reports still say something.
 *
 * <p>How: a secret of {@value #MIN_FREE_TEXT_LENGTH} or more characters becomes {@value #MASK} wherever it
 * occurs, also inside a longer word or line; overlapping secrets become one {@value #MASK}. A secret of 1 or 2
 * characters would hide every {@code ab} of a report, so it is masked only where it stands as its variable's value
 * ({@code DB_PASSWORD=ab}, {@code DB_PASSWORD: ab}, {@code "DB_PASSWORD":"ab"} become {@code DB_PASSWORD=***} ...);
 * an unnamed short {@link Secret} is not searched for in text. A value that short protects nothing: use a real
 * one. Text is not scanned for secrets it was not told about (a URL with a password it has not seen stays), so
 * captured output that a step parses is not changed by guesswork.
 *
 * <p>Immutable and thread-safe; each {@code with} method returns a new masker. Start from {@link #defaults()}.
 * {@link #toString()} names the patterns and counts the values, never prints them.
 */
public final class SecretMasker {
  /** What a secret becomes: {@value}. */
  public static final String MASK = "***";

  /** Secrets at least this long ({@value}) are masked wherever they occur; shorter ones only beside their name. */
  public static final int MIN_FREE_TEXT_LENGTH = 3;

  /** The name patterns of {@link #defaults()}: globs, matched against a whole name, case-insensitively. */
  public static final List<String> DEFAULT_NAME_PATTERNS = List.of("*PASSWORD*", "*PASSWD*", "*TOKEN*", "*SECRET*",
      "*KEY*", "*CREDENTIAL*", "*PRIVATE*");

  /** {@code ://user:password@}: group 1 is the password. */
  private static final Pattern URL_PASSWORD = Pattern.compile("://[^\\s/?#@:]{0,256}:([^\\s/?#]{1,256})@");

  private static final SecretMasker DEFAULTS = new SecretMasker(List.of(), List.of(), List.of(), List.of(), Set.of())
      .withNamePatterns(DEFAULT_NAME_PATTERNS.toArray(String[]::new));

  private final List<String> patterns;
  private final List<Pattern> nameRegexes;
  /** Values of {@link #MIN_FREE_TEXT_LENGTH} or more characters, masked wherever they occur. */
  private final List<String> values;
  /** Short values, each masked only where it stands as its name's value (group 1). */
  private final List<Pattern> named;
  /** Short URL passwords, masked only where they stand as a URL's password. */
  private final Set<String> shortUrlPasswords;

  private SecretMasker(List<String> patterns, List<Pattern> nameRegexes, List<String> values, List<Pattern> named,
      Set<String> shortUrlPasswords) {
    this.patterns = patterns;
    this.nameRegexes = nameRegexes;
    this.values = values;
    this.named = named;
    this.shortUrlPasswords = shortUrlPasswords;
  }

  /**
   * The default masker: the {@link #DEFAULT_NAME_PATTERNS}, no values yet.
   *
   * @return the masker
   */
  public static SecretMasker defaults() {
    return DEFAULTS;
  }

  /**
   * Adds names whose variables hold secrets. A pattern is a glob matched against the whole name,
   * case-insensitively: {@code *} is any run of characters, {@code ?} one character; {@code DSN} matches only
   * {@code DSN} (any case), {@code *_DSN} matches {@code APP_DSN}. Patterns apply to variables added afterwards.
   *
   * @param namePatterns the patterns, each non-blank, without {@code =} or whitespace
   * @return a masker with these patterns added to this one's
   * @throws IllegalArgumentException when a pattern is blank or holds {@code =} or whitespace
   */
  public SecretMasker withNamePatterns(String... namePatterns) {
    List<String> p = new ArrayList<>(patterns);
    List<Pattern> r = new ArrayList<>(nameRegexes);
    for (String glob : namePatterns) {
      Objects.requireNonNull(glob, "name pattern");
      if (glob.isBlank() || glob.contains("=") || glob.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("not a variable name pattern: '" + glob
            + "'; use a name such as DB_DSN or a glob such as *_DSN (no '=', no spaces)");
      }
      p.add(glob);
      r.add(globToRegex(glob));
    }
    return new SecretMasker(List.copyOf(p), List.copyOf(r), values, named, shortUrlPasswords);
  }

  /**
   * Whether a variable of this name holds a secret, by this masker's name patterns.
   *
   * @param name a variable's name, e.g. {@code DB_PASSWORD}
   * @return true when a pattern matches it
   */
  public boolean isSecretName(String name) {
    return name != null && nameRegexes.stream().anyMatch(r -> r.matcher(name).matches());
  }

  /**
   * Adds a literal secret value (and the password of a URL inside it). Shorter than {@value #MIN_FREE_TEXT_LENGTH}
   * characters it is not masked (it has no name to stand beside).
   *
   * @param value the value; null or empty adds nothing
   * @return a masker that also masks this value
   */
  public SecretMasker withValue(String value) {
    return with(null, value);
  }

  /**
   * Adds a {@link Secret}'s value, as {@link #withValue}.
   *
   * @param secret the secret; null adds nothing
   * @return a masker that also masks its value
   */
  public SecretMasker withSecret(Secret secret) {
    return secret == null ? this : with(null, secret.reveal());
  }

  /**
   * Adds a named {@link Secret} (a secret environment variable, a header): its value is a secret whatever the
   * name, and a short one is masked where it stands as this name's value.
   *
   * @param name the variable's or header's name
   * @param secret the secret; null adds nothing
   * @return a masker that also masks its value
   */
  public SecretMasker withSecret(String name, Secret secret) {
    return secret == null ? this : with(name, secret.reveal());
  }

  /**
   * Adds an environment variable: its value is masked when the name matches a name pattern; a URL password in
   * the value is masked whatever the name. Other values are left alone.
   *
   * @param name the variable's name
   * @param value its value; null adds nothing
   * @return a masker that masks what of this variable is secret
   */
  public SecretMasker withEnv(String name, String value) {
    if (value == null || value.isEmpty()) {
      return this;
    }
    return isSecretName(name) ? with(name, value) : withUrlPasswords(value);
  }

  /**
   * Adds environment variables, as {@link #withEnv(String, String)} each.
   *
   * @param env name to value
   * @return the masker
   */
  public SecretMasker withEnv(Map<String, String> env) {
    SecretMasker m = this;
    for (Map.Entry<String, String> e : env.entrySet()) {
      m = m.withEnv(e.getKey(), e.getValue());
    }
    return m;
  }

  /**
   * Adds environment entries in Docker's {@code NAME=value} form, as {@link #withEnv(String, String)} each; an
   * entry without {@code =} has no value and adds nothing.
   *
   * @param entries the entries
   * @return the masker
   */
  public SecretMasker withEnvEntries(Collection<String> entries) {
    SecretMasker m = this;
    for (String e : entries) {
      int eq = e == null ? -1 : e.indexOf('=');
      if (eq > 0) {
        m = m.withEnv(e.substring(0, eq), e.substring(eq + 1));
      }
    }
    return m;
  }

  /**
   * Adds a command's environment: its secret variables ({@link Command#secretEnv()}) always, its plain ones by
   * name, as {@link #withEnv(String, String)}.
   *
   * @param command the command
   * @return the masker
   */
  public SecretMasker withCommand(Command command) {
    SecretMasker m = withEnv(command.env());
    for (Map.Entry<String, Secret> e : command.secretEnv().entrySet()) {
      m = m.withSecret(e.getKey(), e.getValue());
    }
    return m;
  }

  /**
   * Masks the secrets this masker knows in a text.
   *
   * @param text any text, may be null
   * @return the text with each secret (a run of overlapping ones) replaced by {@value #MASK}; null for null
   */
  public String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    boolean[] hide = new boolean[text.length()];
    boolean any = false;
    for (String v : values) {
      for (int i = text.indexOf(v); i >= 0; i = text.indexOf(v, i + 1)) {
        Arrays.fill(hide, i, i + v.length(), true);
        any = true;
      }
    }
    for (Pattern p : named) {
      any |= hideGroup(p.matcher(text), hide, null);
    }
    if (!shortUrlPasswords.isEmpty()) {
      any |= hideGroup(URL_PASSWORD.matcher(text), hide, shortUrlPasswords);
    }
    if (!any) {
      return text;
    }
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      if (!hide[i]) {
        sb.append(text.charAt(i));
      } else if (i == 0 || !hide[i - 1]) {
        sb.append(MASK);
      }
    }
    return sb.toString();
  }

  /** Names the patterns and counts the values; never prints a value. */
  @Override
  public String toString() {
    return "SecretMasker[names " + String.join(", ", patterns) + "; "
        + (values.size() + named.size() + shortUrlPasswords.size()) + " value(s)]";
  }

  /** Adds a secret value, and the password of any URL inside it; a short value only beside its name. */
  private SecretMasker with(String name, String value) {
    if (value == null || value.isEmpty()) {
      return this;
    }
    SecretMasker m = withUrlPasswords(value);
    if (value.length() >= MIN_FREE_TEXT_LENGTH) {
      return m.withLong(value);
    }
    if (name == null || name.isBlank()) {
      return m;
    }
    // NAME=ab, NAME: ab, "NAME":"ab", NAME='ab': the value only where it stands whole beside its name
    Pattern p = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(name) + "[\"']?\\s*[=:]\\s*[\"']?("
        + Pattern.quote(value) + ")(?![A-Za-z0-9_])", Pattern.CASE_INSENSITIVE);
    List<Pattern> n = new ArrayList<>(m.named);
    n.add(p);
    return new SecretMasker(patterns, nameRegexes, m.values, List.copyOf(n), m.shortUrlPasswords);
  }

  /** The passwords of URLs inside a value: {@code pw} of {@code postgres://app:pw@db/app}. */
  private SecretMasker withUrlPasswords(String value) {
    SecretMasker m = this;
    Matcher u = URL_PASSWORD.matcher(value);
    while (u.find()) {
      String pw = u.group(1);
      if (pw.length() >= MIN_FREE_TEXT_LENGTH) {
        m = m.withLong(pw);
      } else if (!m.shortUrlPasswords.contains(pw)) {
        Set<String> s = new HashSet<>(m.shortUrlPasswords);
        s.add(pw);
        m = new SecretMasker(patterns, nameRegexes, m.values, m.named, Set.copyOf(s));
      }
    }
    return m;
  }

  private SecretMasker withLong(String value) {
    if (values.contains(value)) {
      return this;
    }
    List<String> v = new ArrayList<>(values);
    v.add(value);
    return new SecretMasker(patterns, nameRegexes, List.copyOf(v), named, shortUrlPasswords);
  }

  /** Hides group 1 of each match (only when it is one of {@code only}, if given). */
  private static boolean hideGroup(Matcher m, boolean[] hide, Set<String> only) {
    boolean any = false;
    while (m.find()) {
      if (only == null || only.contains(m.group(1))) {
        Arrays.fill(hide, m.start(1), m.end(1), true);
        any = true;
      }
    }
    return any;
  }

  private static Pattern globToRegex(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*') {
        re.append(".*");
      } else if (c == '?') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
  }
}
