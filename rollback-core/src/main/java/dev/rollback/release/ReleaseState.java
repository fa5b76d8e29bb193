package dev.rollback.release;

import dev.rollback.ReleaseNotFoundException;
import java.util.List;
import java.util.Optional;

/**
 * A release directory as read in one command ({@link ReleaseDirectory#state()}): what {@code current} names and
 * every release with its manifest. A value: it does not follow later changes.
 *
 * @param releasesDir {@code <root>/releases}, for messages
 * @param currentId the release {@code current} names, if any
 * @param releases every release, ordered by id
 */
public record ReleaseState(String releasesDir, Optional<String> currentId, List<Release> releases) {

  /** Copies the list. */
  public ReleaseState {
    releases = List.copyOf(releases);
  }

  /** @return the ids, in order */
  public List<String> ids() {
    return releases.stream().map(Release::id).toList();
  }

  /** @return the release {@code current} names, if it exists */
  public Optional<Release> current() {
    return currentId.flatMap(id -> releases.stream().filter(r -> r.id().equals(id)).findFirst());
  }

  /** @return the release just before {@code current} in id order, if any */
  public Optional<Release> previous() {
    return currentId.flatMap(this::previousOf);
  }

  /**
   * @param id a release id
   * @return the release just before it in id order, if any
   */
  public Optional<Release> previousOf(String id) {
    Release prev = null;
    for (Release r : releases) {
      if (r.id().compareTo(id) >= 0) {
        break;
      }
      prev = r;
    }
    return Optional.ofNullable(prev);
  }

  /**
   * @param id a valid release id
   * @return that release
   * @throws ReleaseNotFoundException listing the ids that exist
   */
  public Release release(String id) {
    ReleaseId.check(id);
    return releases.stream().filter(r -> r.id().equals(id)).findFirst()
        .orElseThrow(() -> new ReleaseNotFoundException("release", id, releasesDir, ids()));
  }
}
