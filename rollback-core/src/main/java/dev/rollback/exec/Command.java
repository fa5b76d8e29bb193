package dev.rollback.exec;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A process to run: its argv, environment, working directory, standard input and where its output goes.
 *
 * <p>Immutable; every {@code withX} returns a copy. The argv is a list, never a shell string: executors pass each
 * argument intact (the SSH executor quotes each one for a POSIX shell), so spaces, quotes, {@code $()} or {@code ;}
 * in an argument are data, not syntax.
 *
 * <p>Defaults: no extra environment, the executor's working directory, empty stdin, stdout and stderr captured (up
 * to {@link #DEFAULT_CAPTURE_LIMIT} bytes each), no timeout, and {@linkplain #mutating() mutating} (a
 * {@link DryRunExecutor} records it instead of running it).
 */
public final class Command {
  /** Captured output beyond this many bytes (1 MiB) per stream is dropped and the result says it was truncated. */
  public static final int DEFAULT_CAPTURE_LIMIT = 1 << 20;

  private final List<String> argv;
  private final Map<String, String> env;
  private final Map<String, Secret> secretEnv;
  private final String workingDir;
  private final Supplier<InputStream> stdin;
  private final String stdinDescription;
  private final OutputStream stdout;
  private final OutputStream stderr;
  private final Duration timeout;
  private final boolean mutating;
  private final int captureLimit;

  private Command(List<String> argv, Map<String, String> env, Map<String, Secret> secretEnv, String workingDir,
      Supplier<InputStream> stdin, String stdinDescription, OutputStream stdout, OutputStream stderr,
      Duration timeout, boolean mutating, int captureLimit) {
    this.argv = argv;
    this.env = env;
    this.secretEnv = secretEnv;
    this.workingDir = workingDir;
    this.stdin = stdin;
    this.stdinDescription = stdinDescription;
    this.stdout = stdout;
    this.stderr = stderr;
    this.timeout = timeout;
    this.mutating = mutating;
    this.captureLimit = captureLimit;
  }

  /**
   * A command from its argv.
   *
   * @param program the program (looked up on PATH by the executor)
   * @param args its arguments, each passed intact
   * @return the command
   * @throws IllegalArgumentException if program is empty or an argument contains a NUL character
   */
  public static Command of(String program, String... args) {
    List<String> all = new ArrayList<>(args.length + 1);
    all.add(program);
    Collections.addAll(all, args);
    return of(all);
  }

  /**
   * A command from its argv list.
   *
   * @param argv program and arguments, not empty
   * @return the command
   * @throws IllegalArgumentException if argv is empty, its program is empty, or an argument contains NUL
   */
  public static Command of(List<String> argv) {
    Objects.requireNonNull(argv, "argv");
    if (argv.isEmpty() || argv.get(0) == null || argv.get(0).isEmpty()) {
      throw new IllegalArgumentException("a command needs a program: argv was " + argv);
    }
    for (String a : argv) {
      Objects.requireNonNull(a, "argv element");
      if (a.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("argv element contains a NUL character, which no process can receive");
      }
    }
    return new Command(List.copyOf(argv), Map.of(), Map.of(), null, null, "none", null, null, null, true,
        DEFAULT_CAPTURE_LIMIT);
  }

  /**
   * Adds an environment variable.
   *
   * @param name variable name (letters, digits, underscore; not starting with a digit)
   * @param value its value
   * @return a copy with the variable set
   * @throws IllegalArgumentException if the name is not a portable variable name
   */
  public Command withEnv(String name, String value) {
    Map<String, String> e = new LinkedHashMap<>(env);
    e.put(checkName(name), Objects.requireNonNull(value, "value"));
    return new Command(argv, Collections.unmodifiableMap(e), secretEnv, workingDir, stdin, stdinDescription, stdout,
        stderr, timeout, mutating, captureLimit);
  }

  /**
   * Adds an environment variable whose value is a secret: it reaches the process's environment (over SSH through
   * the channel's stdin, never the remote command line) and is masked in captured output and errors.
   *
   * @param name variable name
   * @param value the secret
   * @return a copy with the variable set
   */
  public Command withEnv(String name, Secret value) {
    Map<String, Secret> e = new LinkedHashMap<>(secretEnv);
    e.put(checkName(name), Objects.requireNonNull(value, "value"));
    return new Command(argv, env, Collections.unmodifiableMap(e), workingDir, stdin, stdinDescription, stdout, stderr,
        timeout, mutating, captureLimit);
  }

  /**
   * Runs the command in a directory (on the executor's host).
   *
   * @param dir the directory; a local {@link Path} or a remote path in POSIX form
   * @return a copy with the working directory set
   */
  public Command withWorkingDir(String dir) {
    return new Command(argv, env, secretEnv, Objects.requireNonNull(dir, "dir"), stdin, stdinDescription, stdout,
        stderr, timeout, mutating, captureLimit);
  }

  /**
   * Runs the command in a local directory.
   *
   * @param dir the directory
   * @return a copy with the working directory set
   */
  public Command withWorkingDir(Path dir) {
    return withWorkingDir(dir.toString());
  }

  /**
   * Feeds bytes to the command's standard input.
   *
   * @param bytes the input
   * @return a copy with stdin set
   */
  public Command withStdin(byte[] bytes) {
    byte[] copy = bytes.clone();
    return new Command(argv, env, secretEnv, workingDir, () -> new ByteArrayInputStream(copy),
        copy.length + " bytes", stdout, stderr, timeout, mutating, captureLimit);
  }

  /**
   * Feeds UTF-8 text to the command's standard input.
   *
   * @param text the input
   * @return a copy with stdin set
   */
  public Command withStdin(String text) {
    return withStdin(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Streams standard input from a source opened when the command starts (and closed by the executor), so large
   * input never sits in memory.
   *
   * @param source opens the stream; called once per run
   * @param description how previews and reports name the input, e.g. the file's path
   * @return a copy with stdin set
   */
  public Command withStdin(Supplier<InputStream> source, String description) {
    return new Command(argv, env, secretEnv, workingDir, Objects.requireNonNull(source, "source"),
        Objects.requireNonNull(description, "description"), stdout, stderr, timeout, mutating, captureLimit);
  }

  /**
   * Streams standard input from a local file.
   *
   * @param file the file
   * @return a copy with stdin set
   */
  public Command withStdinFrom(Path file) {
    return withStdin(() -> {
      try {
        return java.nio.file.Files.newInputStream(file);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, file.toString());
  }

  /**
   * Streams standard output to a stream instead of capturing it. The executor does not close it.
   *
   * @param sink where stdout goes
   * @return a copy with stdout redirected
   */
  public Command withStdout(OutputStream sink) {
    return new Command(argv, env, secretEnv, workingDir, stdin, stdinDescription,
        Objects.requireNonNull(sink, "sink"), stderr, timeout, mutating, captureLimit);
  }

  /**
   * Streams standard error to a stream instead of capturing it. The executor does not close it.
   *
   * @param sink where stderr goes
   * @return a copy with stderr redirected
   */
  public Command withStderr(OutputStream sink) {
    return new Command(argv, env, secretEnv, workingDir, stdin, stdinDescription, stdout,
        Objects.requireNonNull(sink, "sink"), timeout, mutating, captureLimit);
  }

  /**
   * Kills the command (and, locally, its whole process tree) when it runs longer than this.
   *
   * @param timeout a positive duration; default none
   * @return a copy with the timeout
   */
  public Command withTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return new Command(argv, env, secretEnv, workingDir, stdin, stdinDescription, stdout, stderr, timeout, mutating,
        captureLimit);
  }

  /**
   * Marks the command as one that only reads state ({@code readlink}, {@code git status}, {@code docker inspect}):
   * a {@link DryRunExecutor} with a delegate runs it for real so a preview can show what would change.
   *
   * @return a copy marked read-only
   */
  public Command readOnly() {
    return new Command(argv, env, secretEnv, workingDir, stdin, stdinDescription, stdout, stderr, timeout, false,
        captureLimit);
  }

  /**
   * Sets how many bytes of each stream are captured.
   *
   * @param bytes limit per stream, at least 0; default {@link #DEFAULT_CAPTURE_LIMIT}
   * @return a copy with the limit
   */
  public Command withCaptureLimit(int bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("capture limit must be >= 0, was " + bytes);
    }
    return new Command(argv, env, secretEnv, workingDir, stdin, stdinDescription, stdout, stderr, timeout, mutating,
        bytes);
  }

  /** @return program and arguments, unmodifiable */
  public List<String> argv() {
    return argv;
  }

  /** @return plain environment variables, unmodifiable */
  public Map<String, String> env() {
    return env;
  }

  /** @return secret environment variables, unmodifiable */
  public Map<String, Secret> secretEnv() {
    return secretEnv;
  }

  /** @return the working directory, if set */
  public Optional<String> workingDir() {
    return Optional.ofNullable(workingDir);
  }

  /** @return the stdin source, if set */
  public Optional<Supplier<InputStream>> stdin() {
    return Optional.ofNullable(stdin);
  }

  /** @return how the stdin source is described, {@code none} when there is none */
  public String stdinDescription() {
    return stdinDescription;
  }

  /** @return the stdout sink, or empty when stdout is captured */
  public Optional<OutputStream> stdout() {
    return Optional.ofNullable(stdout);
  }

  /** @return the stderr sink, or empty when stderr is captured */
  public Optional<OutputStream> stderr() {
    return Optional.ofNullable(stderr);
  }

  /** @return the timeout, if set */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** @return true unless {@link #readOnly()} was called */
  public boolean mutating() {
    return mutating;
  }

  /** @return bytes captured per stream */
  public int captureLimit() {
    return captureLimit;
  }

  /**
   * The command as a person would type it in a POSIX shell: arguments quoted where needed, plain environment
   * variables shown, secret ones as {@code NAME=***}. Safe for logs and previews.
   *
   * @return the display form
   */
  public String display() {
    StringBuilder sb = new StringBuilder();
    if (workingDir != null) {
      sb.append("(cd ").append(ShellQuote.quoteIfNeeded(workingDir)).append(") ");
    }
    env.forEach((k, v) -> sb.append(k).append('=').append(ShellQuote.quoteIfNeeded(v)).append(' '));
    secretEnv.keySet().forEach(k -> sb.append(k).append("=*** "));
    sb.append(argv.stream().map(ShellQuote::quoteIfNeeded).collect(Collectors.joining(" ")));
    if (stdin != null) {
      sb.append(" < ").append(stdinDescription);
    }
    return sb.toString();
  }

  /** Same as {@link #display()}. */
  @Override
  public String toString() {
    return display();
  }

  private static String checkName(String name) {
    if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("not a portable environment variable name: '" + name + "'");
    }
    return name;
  }
}
