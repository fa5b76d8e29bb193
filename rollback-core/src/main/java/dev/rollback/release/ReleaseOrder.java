package dev.rollback.release;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The one order of releases, oldest first, that every module uses for listing, "previous" and retention: release
 * directories ({@link ReleaseDirectory}, {@link SymlinkRollback}) and release images ({@code ReleaseImages}).
 *
 * <ol>
 *   <li><b>Deploy record first.</b> A release with a deploy record (the {@code sequence} that
 *       {@link ReleaseDirectory#deploy} writes into {@code release.json}, or that a release registry writes) is
 *       ordered by that sequence: "previous" is the release deployed before the current one, whatever its id
 *       (git shas included).
 *   <li><b>No record: natural order of ids.</b> Releases without a record (deployed by an SDK from before the
 *       record, or laid out by hand) are placed by {@link #NATURAL}: runs of digits by value, the rest as text, so
 *       {@code 9 < 10} and {@code 20240115-113000 < 20240116-091500}. When every id has a natural order
 *       ({@link #hasNaturalOrder}) and the records follow it, all releases are in that natural order. Otherwise
 *       the releases without a record come first (they predate the record), in natural order.
 *   <li><b>Otherwise a refusal, not a guess.</b> In that second case, a release without a record whose id
 *       carries no order of its own (a hex digest such as a git sha, or no digit at all) while another release
 *       without a record exists, or whose id sorts after a recorded one, cannot be placed: {@link #previousOf} and
 *       {@link #requireDefinite} throw {@link UnorderedReleasesException} naming those ids. {@link #list()} still
 *       lists them, for messages.
 * </ol>
 *
 * <p>Ties: two records with the same sequence (two deploys that did not hold the lock) are ordered by
 * {@link #NATURAL}. {@link #NATURAL} is total and consistent with {@code equals}: ids of equal numeric value order
 * by fewer leading zeros first, so {@code 9 < 09 < 10 < 010}. The order never looks at modification times.
 * Immutable.
 *
 * @param <T> what is ordered: a {@link Release}, an image tag, a bare id
 */
public final class ReleaseOrder<T> {
  /**
   * Ids as a person reads them: runs of ASCII digits compared by value, a number before text, other characters
   * by code point, a prefix before what extends it; ids of equal value order by fewer leading zeros, then as text.
   */
  public static final Comparator<String> NATURAL = ReleaseOrder::compareNatural;

  private final String where;
  private final List<T> items;
  private final Function<? super T, String> idOf;
  private final Map<String, String> unordered;

  private ReleaseOrder(String where, List<T> items, Function<? super T, String> idOf, Map<String, String> unordered) {
    this.where = where;
    this.items = List.copyOf(items);
    this.idOf = idOf;
    this.unordered = unordered;
  }

  /**
   * Orders releases.
   *
   * @param where where they are, for messages, e.g. {@code /opt/app/releases}
   * @param items the releases, in any order
   * @param idOf a release's id
   * @param sequenceOf its deploy sequence, or empty when it has no deploy record
   * @param <T> what is ordered
   * @return the order
   */
  public static <T> ReleaseOrder<T> of(String where, Collection<? extends T> items, Function<? super T, String> idOf,
      Function<? super T, OptionalLong> sequenceOf) {
    Objects.requireNonNull(where, "where");
    Objects.requireNonNull(idOf, "idOf");
    Objects.requireNonNull(sequenceOf, "sequenceOf");
    List<T> recorded = new ArrayList<>();
    List<T> bare = new ArrayList<>();
    Map<T, Long> seq = new java.util.IdentityHashMap<>();
    for (T t : items) {
      OptionalLong s = sequenceOf.apply(t);
      if (s.isPresent()) {
        recorded.add(t);
        seq.put(t, s.getAsLong());
      } else {
        bare.add(t);
      }
    }
    Comparator<T> byId = Comparator.comparing(idOf, NATURAL);
    recorded.sort(Comparator.<T>comparingLong(seq::get).thenComparing(byId));
    bare.sort(byId);

    Map<String, String> unordered = new LinkedHashMap<>();
    List<T> all = new ArrayList<>();
    if (!bare.isEmpty() && naturalAgreesWith(recorded, bare, idOf)) {
      // the usual case: counters or timestamps deployed in order; the ids place the unrecorded ones
      all.addAll(bare);
      all.addAll(recorded);
      all.sort(byId);
      return new ReleaseOrder<>(where, all, idOf, Map.of());
    }
    if (!bare.isEmpty() && items.size() > 1) {
      String firstRecorded = recorded.stream().map(idOf).filter(ReleaseOrder::hasNaturalOrder).min(NATURAL)
          .orElse(null);
      boolean alone = bare.size() == 1;
      for (T t : bare) {
        String id = idOf.apply(t);
        if (!hasNaturalOrder(id)) {
          if (!alone) {
            unordered.put(id, "no deploy record, and the id carries no order of its own (a hex digest, or no digit)");
          }
        } else if (firstRecorded != null && NATURAL.compare(id, firstRecorded) > 0) {
          unordered.put(id, "no deploy record, and the id sorts after recorded release " + firstRecorded
              + ", so neither the records nor the ids tell where it belongs");
        }
      }
    }
    all.addAll(bare);
    all.addAll(recorded);
    return new ReleaseOrder<>(where, all, idOf, Map.copyOf(unordered));
  }

  /** Whether every id has a natural order and the records follow it, so one natural sort honours both. */
  private static <T> boolean naturalAgreesWith(List<T> recordedInOrder, List<T> bare,
      Function<? super T, String> idOf) {
    if (!bare.stream().map(idOf).allMatch(ReleaseOrder::hasNaturalOrder)) {
      return false;
    }
    String last = null;
    for (T t : recordedInOrder) {
      String id = idOf.apply(t);
      if (!hasNaturalOrder(id) || (last != null && NATURAL.compare(last, id) > 0)) {
        return false;
      }
      last = id;
    }
    return true;
  }

  /**
   * Whether an id carries an order of its own: it holds a digit, and no part of it (split at {@code - _ . + :})
   * is a hex digest (7 to 64 hex characters with a letter among them, as git and image digests print). True for
   * {@code 12}, {@code 20240115-113000}, {@code v1.2.10}; false for {@code 3f2a1bc}, {@code build-9c0ffee1},
   * {@code blue}.
   *
   * @param id a release id
   * @return true when {@link #NATURAL} orders it meaningfully
   */
  public static boolean hasNaturalOrder(String id) {
    boolean digit = false;
    for (int i = 0; i < id.length(); i++) {
      if (isDigit(id.charAt(i))) {
        digit = true;
        break;
      }
    }
    if (!digit) {
      return false;
    }
    for (String part : id.split("[-_.+:]")) {
      if (part.length() >= 7 && part.length() <= 64 && part.chars().allMatch(c -> isDigit((char) c)
          || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) && !part.chars().allMatch(c -> isDigit((char) c))) {
        return false;
      }
    }
    return true;
  }

  /**
   * @return every release, oldest first; when the order is not definite ({@link #unordered()}), the releases
   *     without a record are listed first by {@link #NATURAL}, which is a listing, not an order to act on
   */
  public List<T> list() {
    return items;
  }

  /** @return the ids of {@link #list()}, in order */
  public List<String> ids() {
    return items.stream().map(idOf).toList();
  }

  /** @return the ids whose place is unknown, each with why; empty when the order is definite */
  public Map<String, String> unordered() {
    return unordered;
  }

  /**
   * The order, for acting on it (retention, picking a target).
   *
   * @param purpose what the order is needed for, for the message, e.g. {@code "which releases are oldest"}
   * @return {@link #list()}
   * @throws UnorderedReleasesException naming the ids that could not be ordered, and why
   */
  public List<T> requireDefinite(String purpose) {
    if (!unordered.isEmpty()) {
      throw refusal(purpose, unordered);
    }
    return items;
  }

  /**
   * The release deployed just before the one with this id. An id not among the releases (its directory was
   * deleted since, say) is placed by {@link #NATURAL}, which needs every id involved to have a natural order.
   *
   * @param id a release id
   * @return the release before it, or empty when it is the oldest
   * @throws UnorderedReleasesException when the order is not definite
   */
  public Optional<T> previousOf(String id) {
    String purpose = "which release came before " + id;
    requireDefinite(purpose);
    int i = ids().indexOf(id);
    if (i >= 0) {
      return i == 0 ? Optional.empty() : Optional.of(items.get(i - 1));
    }
    Map<String, String> cannot = new LinkedHashMap<>();
    if (!hasNaturalOrder(id)) {
      cannot.put(id, "it is gone and its id carries no order of its own");
    }
    for (T t : items) {
      if (!hasNaturalOrder(idOf.apply(t))) {
        cannot.put(idOf.apply(t), "the id carries no order to place " + id + " against");
      }
    }
    if (!cannot.isEmpty()) {
      throw refusal(purpose, cannot);
    }
    T prev = null;
    for (T t : items) {
      if (NATURAL.compare(idOf.apply(t), id) < 0) {
        prev = t;
      }
    }
    return Optional.ofNullable(prev);
  }

  private UnorderedReleasesException refusal(String purpose, Map<String, String> why) {
    StringBuilder b = new StringBuilder("cannot tell " + purpose + " in " + where + ": ");
    why.forEach((id, reason) -> b.append(id).append(" (").append(reason).append("), "));
    b.setLength(b.length() - 2);
    b.append("; deploy through ReleaseDirectory.deploy or record the deploy (ReleaseImages.recordDeployed) so the"
        + " order is recorded, remove the releases named, or name the target explicitly (toRelease(id));"
        + " nothing was changed");
    return new UnorderedReleasesException(b.toString(), List.copyOf(why.keySet()));
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int compareNatural(String a, String b) {
    int i = 0;
    int j = 0;
    int zeros = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      boolean da = isDigit(ca);
      boolean db = isDigit(cb);
      if (da && db) {
        int ei = i;
        while (ei < a.length() && isDigit(a.charAt(ei))) {
          ei++;
        }
        int ej = j;
        while (ej < b.length() && isDigit(b.charAt(ej))) {
          ej++;
        }
        int si = i;
        while (si < ei - 1 && a.charAt(si) == '0') {
          si++;
        }
        int sj = j;
        while (sj < ej - 1 && b.charAt(sj) == '0') {
          sj++;
        }
        int c = Integer.compare(ei - si, ej - sj);
        for (int k = 0; c == 0 && k < ei - si; k++) {
          c = Character.compare(a.charAt(si + k), b.charAt(sj + k));
        }
        if (c != 0) {
          return c;
        }
        if (zeros == 0) {
          // equal value: the one with fewer leading zeros first, decided only if nothing else differs
          zeros = Integer.compare(ei - i, ej - j);
        }
        i = ei;
        j = ej;
      } else if (da != db) {
        return da ? -1 : 1;
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    if (i < a.length() || j < b.length()) {
      return i < a.length() ? 1 : -1;
    }
    return zeros != 0 ? zeros : a.compareTo(b);
  }
}
