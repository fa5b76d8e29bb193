package dev.rollback.release;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rollback.internal.Json;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A release's {@code release.json}: what was deployed, so the rollback side can trust what it finds.
 *
 * <p>{@code id} and {@code sequence} come first in the file, so the host's shell finds them in its first lines
 * (a rollback reads every release's deploy record in its one command).
 *
 * @param id the release id
 * @param sequence the deploy record: 1 + the highest sequence among the releases present when it was deployed,
 *     so it orders releases by deploy (see {@link ReleaseOrder}); null for a release recorded by an SDK from
 *     before the record
 * @param created when the deploy recorded it
 * @param gitCommit the commit it was built from, or null
 * @param image the image reference or digest it runs, or null
 * @param files sha256 (hex) of each file recorded in the release, by path relative to the release directory
 * @param sharedLinks paths in the release that link into {@code shared/} (e.g. {@code .env})
 */
@JsonPropertyOrder({"id", "sequence", "created", "gitCommit", "image", "files", "sharedLinks"})
public record ReleaseManifest(String id, @JsonInclude(JsonInclude.Include.NON_NULL) Long sequence, Instant created,
    String gitCommit, String image, Map<String, String> files, java.util.List<String> sharedLinks) {

  /** The manifest's file name inside a release directory. */
  public static final String FILE_NAME = "release.json";
  /**
   * A plain list beside {@code release.json} for the host's shell, which cannot read JSON: {@code f <path>} per
   * recorded file, {@code l <path>} per shared link, one a line. It names what to hash; the hashes are checked
   * against {@code release.json} only.
   */
  public static final String PATHS_FILE = "release.paths";

  /** Checks and copies. */
  public ReleaseManifest {
    ReleaseId.check(id);
    Objects.requireNonNull(created, "created");
    if (sequence != null && sequence < 1) {
      throw new IllegalArgumentException("deploy sequence must be at least 1, was " + sequence);
    }
    files = files == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(files));
    sharedLinks = sharedLinks == null ? java.util.List.of() : java.util.List.copyOf(sharedLinks);
  }

  /**
   * A manifest without a deploy sequence, as an SDK from before the record wrote it.
   *
   * @param id the release id
   * @param created when the deploy recorded it
   * @param gitCommit the commit, or null
   * @param image the image, or null
   * @param files sha256 by path
   * @param sharedLinks shared links
   */
  public ReleaseManifest(String id, Instant created, String gitCommit, String image, Map<String, String> files,
      java.util.List<String> sharedLinks) {
    this(id, null, created, gitCommit, image, files, sharedLinks);
  }

  /** @return the manifest as JSON */
  public String toJson() {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** @return the text of {@link #PATHS_FILE} for this manifest */
  public String pathsText() {
    StringBuilder b = new StringBuilder();
    files.keySet().forEach(f -> b.append("f ").append(f).append('\n'));
    sharedLinks.forEach(l -> b.append("l ").append(l).append('\n'));
    return b.toString();
  }

  /**
   * Reads a manifest.
   *
   * @param json the text of a release.json
   * @return the manifest
   * @throws ReleaseIntegrityException when the text is not a manifest
   */
  public static ReleaseManifest fromJson(String json) {
    try {
      return Json.MAPPER.readValue(json, ReleaseManifest.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new ReleaseIntegrityException("release.json is not a valid manifest: " + e.getMessage());
    }
  }
}
