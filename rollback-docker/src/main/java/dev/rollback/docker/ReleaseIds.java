package dev.rollback.docker;

import dev.rollback.release.ReleaseOrder;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The order of an image repository's release ids: {@link ReleaseOrder}, the one order every module uses, fed with
 * the deploy sequences a {@link ReleaseRegistry} records. Ids without a record (no registry, or tags never
 * recorded) fall back to the natural order of ids ({@code 9 < 10}); git-sha ids without a record are refused
 * rather than guessed.
 */
public final class ReleaseIds {
  /**
   * The natural order of ids.
   *
   * @deprecated use {@link ReleaseOrder#NATURAL}, which this is; it orders ids only, without the deploy record
   */
  @Deprecated
  public static final Comparator<String> ORDER = ReleaseOrder.NATURAL;

  private ReleaseIds() {}

  /**
   * Orders release ids by their deploy record, then naturally (see {@link ReleaseOrder}).
   *
   * @param where the repository, for messages
   * @param ids the ids, in any order
   * @param recorded the registry's entries by id (empty without a registry)
   * @return the order
   */
  public static ReleaseOrder<String> order(String where, Collection<String> ids,
      Map<String, ReleaseRegistry.Entry> recorded) {
    return ReleaseOrder.of(where, ids, id -> id, id -> sequenceOf(recorded.get(id)));
  }

  static OptionalLong sequenceOf(ReleaseRegistry.Entry e) {
    return e == null || e.sequence() == null ? OptionalLong.empty() : OptionalLong.of(e.sequence());
  }
}
