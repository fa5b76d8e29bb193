package dev.rollback.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Starts a second JVM on the test classpath, for behaviour across processes (locks, crashes, heap limits). */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;

  private ChildJvm(Process process) {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Starts {@code mainClass} in a new JVM with the test classpath.
   *
   * @param jvmOptions e.g. {@code -Xmx64m}
   * @param mainClass the class to run
   * @param args its arguments
   * @return the running child; stderr is inherited
   * @throws IOException when it cannot start
   */
  public static ChildJvm start(List<String> jvmOptions, Class<?> mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    return new ChildJvm(pb.start());
  }

  /**
   * Reads the child's stdout until a line starting with {@code prefix}, within a deadline.
   *
   * @param prefix the line's start
   * @param deadline how long to wait
   * @return the line
   * @throws IllegalStateException when the child exits or the deadline passes first
   */
  public String awaitLine(String prefix, Duration deadline) {
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
      try {
        String l;
        while ((l = out.readLine()) != null) {
          if (l.startsWith(prefix)) {
            return l;
          }
        }
        return null;
      } catch (IOException e) {
        return null;
      }
    });
    try {
      String l = line.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
      if (l == null) {
        throw new IllegalStateException("child JVM ended before printing '" + prefix + "'");
      }
      return l;
    } catch (Exception e) {
      throw new IllegalStateException("child JVM did not print '" + prefix + "' within " + deadline, e);
    }
  }

  /**
   * Waits for the child to exit.
   *
   * @param deadline how long to wait
   * @return its exit code
   * @throws IllegalStateException when it is still running at the deadline
   */
  public int waitFor(Duration deadline) throws InterruptedException {
    if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("child JVM still running after " + deadline);
    }
    return process.exitValue();
  }

  /** @return the child's process */
  public Process process() {
    return process;
  }

  /** Kills the child if it still runs. */
  @Override
  public void close() {
    process.destroyForcibly();
  }
}
