package dev.rollback.docker;

import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.LocalExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The test app images, built once per JVM from {@code rollback-test/busybox:latest} (no registry is reachable):
 * {@code rollback-test/app:release-1} healthy (busybox httpd on 8080 serving /health, a HEALTHCHECK with busybox
 * wget every 250 ms), {@code release-2} whose health file is missing (404, unhealthy), {@code release-3} that
 * exits 3 at start, and {@code broken-start} whose entrypoint does not exist (the daemon refuses the start).
 */
public final class TestImages {
  /** The repository of the test images. */
  public static final String REPO = "rollback-test/app";
  /** The healthy release. */
  public static final String HEALTHY = REPO + ":release-1";
  /** The release whose health check fails. */
  public static final String UNHEALTHY = REPO + ":release-2";
  /** The release that exits at start. */
  public static final String EXITS = REPO + ":release-3";
  /** An image whose entrypoint does not exist: create works, start is refused. */
  public static final String BROKEN_START = REPO + ":broken-start";

  private static boolean built;

  private TestImages() {}

  /**
   * Builds the images unless this JVM did already (docker's layer cache makes a rebuild cheap).
   *
   * @param baseImage the busybox base image, from env.properties' {@code docker.busybox_image}
   */
  public static synchronized void ensureBuilt(String baseImage) {
    if (built) {
      return;
    }
    String health = "HEALTHCHECK --interval=250ms --timeout=2s --retries=2 "
        + "CMD [\"/bin/busybox\", \"wget\", \"-q\", \"-O\", \"/dev/null\", \"http://127.0.0.1:8080/health\"]\n";
    String httpd = "CMD [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n";
    build(HEALTHY, baseImage, "1", true, health + httpd);
    build(UNHEALTHY, baseImage, "2", false, health + httpd);
    build(EXITS, baseImage, "3", true,
        health + "CMD [\"/bin/busybox\", \"sh\", \"-c\", \"echo release-3 cannot start >&2; exit 3\"]\n");
    build(BROKEN_START, baseImage, "broken", true, "ENTRYPOINT [\"/no/such/entrypoint\"]\n");
    built = true;
  }

  private static void build(String tag, String base, String release, boolean withHealthFile, String tail) {
    try {
      Path dir = Files.createTempDirectory("rbdock-image-");
      Files.createDirectories(dir.resolve("www"));
      Files.writeString(dir.resolve("www/index.html"), "release-" + release + "\n");
      if (withHealthFile) {
        Files.writeString(dir.resolve("www/health"), "ok release-" + release + "\n");
      }
      Files.writeString(dir.resolve("Dockerfile"), "FROM " + base + "\n"
          + "COPY www /www\n"
          + "LABEL dev.rollback.test=\"true\" rbdock.release=\"" + release + "\"\n"
          + "EXPOSE 8080\n" + tail);
      ExecResult r = LocalExecutor.create().run(Command.of("docker", "build", "--network=none", "-q", "-t", tag,
          dir.toString()).withEnv("DOCKER_BUILDKIT", "0").withTimeout(Duration.ofMinutes(2)));
      r.requireSuccess();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
