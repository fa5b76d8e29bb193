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
 * @param releases every release, in {@link ReleaseOrder} (the listing, when that order is not definite)
 */
public record ReleaseState(String releasesDir, Optional<String> currentId, List<Release> releases) {

  /** Orders the releases with {@link ReleaseOrder}, whatever order they are given in. */
  public ReleaseState {
    releases = order(releasesDir, releases).list();
  }

  /** @return the order of the releases, for "previous" and retention (which refuse when it is not definite) */
  public ReleaseOrder<Release> order() {
    return order(releasesDir, releases);
  }

  private static ReleaseOrder<Release> order(String where, List<Release> releases) {
    return ReleaseOrder.of(where, releases, Release::id, Release::deploySequence);
  }

  /** @return the ids, in order */
  public List<String> ids() {
    return releases.stream().map(Release::id).toList();
  }

  /** @return the release {@code current} names, if it exists */
  public Optional<Release> current() {
    return currentId.flatMap(id -> releases.stream().filter(r -> r.id().equals(id)).findFirst());
  }

  /**
   * @return the release deployed just before {@code current} ({@link ReleaseOrder}), if any
   * @throws UnorderedReleasesException when that cannot be told
   */
  public Optional<Release> previous() {
    return currentId.flatMap(this::previousOf);
  }

  /**
   * @param id a release id; one that is gone is placed by {@link ReleaseOrder#NATURAL}
   * @return the release deployed just before it ({@link ReleaseOrder#previousOf}), if any
   * @throws UnorderedReleasesException when that cannot be told
   */
  public Optional<Release> previousOf(String id) {
    return order().previousOf(id);
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
