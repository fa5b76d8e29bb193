package dev.rollback.docker;

import dev.rollback.RollbackException;
import java.nio.file.Path;

/**
 * A release tag now names another image than the one recorded when the release was deployed: someone re-tagged
 * it. Rolling back to it would start code that never ran as that release.
 */
public class ReleaseTagMovedException extends RollbackException {
  private static final long serialVersionUID = 1L;

  /**
   * @param reference the tag
   * @param recorded the image id recorded at deploy time
   * @param now the image id it names now
   * @param registry the registry file
   */
  public ReleaseTagMovedException(String reference, String recorded, String now, Path registry) {
    this(reference, recorded, now, "recorded in " + registry);
  }

  /**
   * @param reference the tag
   * @param expected the image id it named when it was checked
   * @param now the image id it names now
   * @param where where the expected id came from, e.g. {@code checked in preflight}
   */
  public ReleaseTagMovedException(String reference, String expected, String now, String where) {
    super("release tag " + reference + " now names image " + ReleaseImage.shortId(now) + " but was deployed as "
        + ReleaseImage.shortId(expected) + " (" + where + "); refusing to roll back to a moved tag: "
        + "re-tag " + ReleaseImage.shortId(expected) + " as " + reference + " if that image still exists, "
        + "or roll back to another release");
  }
}
