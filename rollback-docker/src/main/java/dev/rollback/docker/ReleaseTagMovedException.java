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
    super("release tag " + reference + " now names image " + ReleaseImage.shortId(now) + " but was deployed as "
        + ReleaseImage.shortId(recorded) + " (recorded in " + registry + "); refusing to roll back to a moved tag: "
        + "re-tag " + ReleaseImage.shortId(recorded) + " as " + reference + " if that image still exists, "
        + "or roll back to another release");
  }
}
