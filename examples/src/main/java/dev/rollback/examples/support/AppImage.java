package dev.rollback.examples.support;

import dev.rollback.docker.ReleaseImages;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stand-in for a real app image, built from the {@code FROM scratch} busybox image (no registry is reachable):
 * {@code busybox httpd} on 8080 serving {@code /www}. A release is healthy when it has {@code /www/health}, and
 * broken when it has not (404). Built with the docker CLI and the classic builder, without network.
 */
public final class AppImage {
  private final Map<String, String> files = new LinkedHashMap<>();
  private final String base;

  private AppImage(String base) {
    this.base = base;
  }

  /** @param base the busybox image, env.properties' {@code docker.busybox_image} @return a new image spec */
  public static AppImage from(String base) {
    return new AppImage(base);
  }

  /**
   * A release serving {@code version} at / and, when healthy, {@code ok <version>} at /health and /api/v1/status.
   *
   * @param base the busybox image
   * @param version what / answers
   * @param healthy whether /health exists
   * @return the spec
   */
  public static AppImage release(String base, String version, boolean healthy) {
    AppImage i = from(base).file("www/index.html", version + "\n");
    if (healthy) {
      i.file("www/health", "ok " + version + "\n").file("www/api/v1/status", "{\"version\":\"" + version + "\"}\n");
    }
    return i;
  }

  /** @param path a path in the build context @param content its content @return this */
  public AppImage file(String path, String content) {
    files.put(path, content);
    return this;
  }

  /**
   * Builds and tags the image.
   *
   * @param tag e.g. {@code rbseed/api:release-20240116-104500}
   * @return the tag
   */
  public String build(String tag) {
    try {
      Path dir = Files.createTempDirectory("rbseed-image-");
      try {
        Files.createDirectories(dir.resolve("www"));
        for (var f : files.entrySet()) {
          Path p = dir.resolve(f.getKey());
          Files.createDirectories(p.getParent());
          Files.writeString(p, f.getValue());
        }
        Files.writeString(dir.resolve("Dockerfile"), "FROM " + base + "\nCOPY www /www\n"
            + "LABEL dev.rollback.example=\"seed\"\nEXPOSE 8080\n"
            + "CMD [\"/bin/busybox\", \"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/www\"]\n");
        LocalExecutor.create().run(Command.of("docker", "build", "--network=none", "-q", "-t", tag, dir.toString())
            .withEnv("DOCKER_BUILDKIT", "0").withTimeout(Duration.ofMinutes(2))).requireSuccess();
      } finally {
        try (var walk = Files.walk(dir)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return tag;
  }

  /**
   * Removes image tags, ignoring those already gone (the layers stay while another tag holds them).
   *
   * @param tags the tags
   */
  public static void removeTags(String... tags) {
    for (String t : tags) {
      LocalExecutor.create().run(Command.of("docker", "rmi", "--no-prune", t).withTimeout(Duration.ofSeconds(30)));
    }
  }

  /**
   * Builds the two releases most seeds need, {@code release-1} healthy and {@code release-2} without /health,
   * under the release images' tags, and records both as deployed.
   *
   * @param base the FROM-scratch busybox image
   * @param images the release images
   */
  public static void buildHealthyAndBroken(String base, ReleaseImages images) {
    release(base, "release-1", true).build(images.reference("1"));
    release(base, "release-2", false).build(images.reference("2"));
    images.recordDeployed("1");
    images.recordDeployed("2");
  }
}
