package dev.rollback.release;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a deploy tool records as a new release through {@link ReleaseDirectory#deploy(ReleaseSpec)}: its files,
 * the shared files linked into it, the commit and image it came from. Not thread-safe; build it and hand it over.
 *
 * <p>Every file recorded here is hashed into the release's {@code release.json}, and checked again before anything
 * rolls back to the release.
 */
public final class ReleaseSpec {
  /** One file of the release. */
  record FileEntry(String path, byte[] content, boolean executable) {}

  private final String id;
  private final Map<String, FileEntry> files = new LinkedHashMap<>();
  private final List<String> sharedLinks = new ArrayList<>();
  private String gitCommit;
  private String image;

  private ReleaseSpec(String id) {
    this.id = id;
  }

  /**
   * A release whose id is taken from the directory's clock at deploy time ({@code yyyyMMdd-HHmmss}).
   *
   * @return the spec
   */
  public static ReleaseSpec create() {
    return new ReleaseSpec(null);
  }

  /**
   * A release with a given id.
   *
   * @param id a valid release id
   * @return the spec
   * @throws IllegalArgumentException when the id is not valid
   */
  public static ReleaseSpec withId(String id) {
    return new ReleaseSpec(ReleaseId.check(id));
  }

  /**
   * Adds a file.
   *
   * @param path relative to the release directory, {@code /}-separated, no {@code ..}
   * @param content its bytes
   * @return this spec
   */
  public ReleaseSpec file(String path, byte[] content) {
    files.put(checkPath(path), new FileEntry(path, content.clone(), false));
    return this;
  }

  /**
   * Adds a UTF-8 text file.
   *
   * @param path relative to the release directory
   * @param content its text
   * @return this spec
   */
  public ReleaseSpec file(String path, String content) {
    return file(path, content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Adds a local file's content.
   *
   * @param path relative to the release directory
   * @param source the local file
   * @return this spec
   */
  public ReleaseSpec file(String path, Path source) {
    try {
      return file(path, Files.readAllBytes(source));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source, e);
    }
  }

  /**
   * Adds an executable file (mode 755).
   *
   * @param path relative to the release directory
   * @param content its text
   * @return this spec
   */
  public ReleaseSpec executable(String path, String content) {
    files.put(checkPath(path), new FileEntry(path, content.getBytes(StandardCharsets.UTF_8), true));
    return this;
  }

  /**
   * Links {@code shared/<path>} into the release as {@code <path>} (e.g. {@code .env}).
   *
   * @param path relative path
   * @return this spec
   */
  public ReleaseSpec sharedLink(String path) {
    sharedLinks.add(checkPath(path));
    return this;
  }

  /**
   * Records the commit the release was built from.
   *
   * @param sha the commit
   * @return this spec
   */
  public ReleaseSpec gitCommit(String sha) {
    this.gitCommit = Objects.requireNonNull(sha, "sha");
    return this;
  }

  /**
   * Records the image the release runs.
   *
   * @param reference an image reference or digest
   * @return this spec
   */
  public ReleaseSpec image(String reference) {
    this.image = Objects.requireNonNull(reference, "reference");
    return this;
  }

  String id() {
    return id;
  }

  List<FileEntry> files() {
    return List.copyOf(files.values());
  }

  List<String> sharedLinks() {
    return List.copyOf(sharedLinks);
  }

  String gitCommitOrNull() {
    return gitCommit;
  }

  String imageOrNull() {
    return image;
  }

  static String checkPath(String path) {
    if (path == null || path.isEmpty() || path.startsWith("/") || path.startsWith("-")) {
      throw new IllegalArgumentException("release file path must be relative and not start with '-': '" + path
          + "'");
    }
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("release file path has an empty, '.' or '..' element: '" + path + "'");
      }
    }
    if (path.equals(ReleaseManifest.FILE_NAME) || path.equals(ReleaseManifest.PATHS_FILE)
        || path.equals(ReleaseDirectory.PIN_FILE)) {
      throw new IllegalArgumentException("'" + path + "' is reserved in a release directory");
    }
    for (int i = 0; i < path.length(); i++) {
      if (Character.isISOControl(path.charAt(i))) {
        throw new IllegalArgumentException("release file path contains a control character");
      }
    }
    return path;
  }
}
