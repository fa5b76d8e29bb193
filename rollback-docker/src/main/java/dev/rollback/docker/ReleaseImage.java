package dev.rollback.docker;

import java.util.Objects;

/**
 * One release image: the tag {@code <repository>:<prefix><id>} and the image id it names.
 *
 * @param id the release id, e.g. {@code 20240115-113000} or {@code 2}
 * @param reference the full tag, e.g. {@code app:release-2}
 * @param imageId the image id the tag names now, e.g. {@code sha256:4f1c...}
 */
public record ReleaseImage(String id, String reference, String imageId) {

  /** Checks the fields. */
  public ReleaseImage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(imageId, "imageId");
  }

  /** @return the image id's first 12 hex digits, as {@code docker images} shows it */
  public String shortImageId() {
    return shortId(imageId);
  }

  static String shortId(String imageId) {
    String hex = imageId.startsWith("sha256:") ? imageId.substring(7) : imageId;
    return hex.length() > 12 ? hex.substring(0, 12) : hex;
  }
}
