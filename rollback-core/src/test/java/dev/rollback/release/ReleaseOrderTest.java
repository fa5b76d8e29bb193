package dev.rollback.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReleaseOrderTest {
  /** A release id with its deploy sequence, or 0 for none. */
  record R(String id, long seq) {
    OptionalLong sequence() {
      return seq == 0 ? OptionalLong.empty() : OptionalLong.of(seq);
    }
  }

  static ReleaseOrder<R> order(List<R> releases) {
    List<R> shuffled = new ArrayList<>(releases);
    Collections.reverse(shuffled);
    return ReleaseOrder.of("/opt/app/releases", shuffled, R::id, R::sequence);
  }

  static List<R> unrecorded(String... ids) {
    return java.util.Arrays.stream(ids).map(id -> new R(id, 0)).toList();
  }

  @Test
  void idsOneToTwelveWithoutARecordOrderAsNumbersSoTheOneBeforeTenIsNine() {
    ReleaseOrder<R> o = order(IntStream.rangeClosed(1, 12).mapToObj(i -> new R("" + i, 0)).toList());

    assertThat(o.ids()).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
    assertThat(o.previousOf("10")).get().extracting(R::id).isEqualTo("9");
    assertThat(o.previousOf("1")).isEmpty();
    assertThat(o.requireDefinite("retention").subList(7, 12)).extracting(R::id)
        .containsExactly("8", "9", "10", "11", "12");
  }

  @Test
  void paddedIdsOfEqualValueOrderByFewerLeadingZerosFirst() {
    assertThat(order(unrecorded("010", "10", "09", "9", "2", "1a", "1b", "1")).ids())
        .containsExactly("1", "1a", "1b", "2", "9", "09", "10", "010");
  }

  @Test
  void timestampIdsOrderChronologically() {
    assertThat(order(unrecorded("20240116-091500", "20240115-113000", "20240115-99", "20231231-235959")).ids())
        .containsExactly("20231231-235959", "20240115-99", "20240115-113000", "20240116-091500");
  }

  @Test
  void theDeployRecordOrdersReleasesWhateverTheirIds() {
    List<R> deployed = List.of(new R("9c0ffee", 1), new R("3f2a1bc", 2), new R("e4d5c6b", 3), new R("10", 4),
        new R("9", 5));
    ReleaseOrder<R> o = order(deployed);

    assertThat(o.ids()).containsExactly("9c0ffee", "3f2a1bc", "e4d5c6b", "10", "9");
    assertThat(o.previousOf("e4d5c6b")).get().extracting(R::id).isEqualTo("3f2a1bc");
    assertThat(o.previousOf("9")).get().extracting(R::id).isEqualTo("10");
    assertThat(o.unordered()).isEmpty();
  }

  @Test
  void gitShaIdsWithoutARecordAreRefusedNamingThemInsteadOfGuessed() {
    ReleaseOrder<R> o = order(unrecorded("3f2a1bc", "9c0ffee", "e4d5c6b"));

    assertThat(o.ids()).as("still listed, for messages").hasSize(3);
    assertThat(o.unordered()).containsOnlyKeys("3f2a1bc", "9c0ffee", "e4d5c6b");
    assertThatThrownBy(() -> o.previousOf("e4d5c6b")).isInstanceOfSatisfying(UnorderedReleasesException.class,
        e -> assertThat(e.unordered()).containsExactlyInAnyOrder("3f2a1bc", "9c0ffee", "e4d5c6b"))
        .hasMessageStartingWith("cannot tell which release came before e4d5c6b in /opt/app/releases: ")
        .hasMessageContaining("3f2a1bc (no deploy record, and the id carries no order of its own")
        .hasMessageContaining("nothing was changed");
    assertThatThrownBy(() -> o.requireDefinite("which releases are the oldest"))
        .hasMessageStartingWith("cannot tell which releases are the oldest in /opt/app/releases");
  }

  @Test
  void releasesFromBeforeTheRecordComeFirstInNaturalOrder() {
    List<R> all = new ArrayList<>(unrecorded("1", "2", "9", "10"));
    all.add(new R("11", 1));
    all.add(new R("12", 2));
    ReleaseOrder<R> o = order(all);

    assertThat(o.ids()).containsExactly("1", "2", "9", "10", "11", "12");
    assertThat(o.previousOf("11")).get().extracting(R::id).isEqualTo("10");
  }

  @Test
  void aLoneUnrecordedReleaseAmongRecordedOnesIsTheOldestEvenWithAShaId() {
    ReleaseOrder<R> o = order(List.of(new R("3f2a1bc", 0), new R("9c0ffee", 1), new R("e4d5c6b", 2)));
    assertThat(o.ids()).containsExactly("3f2a1bc", "9c0ffee", "e4d5c6b");
    assertThat(o.previousOf("9c0ffee")).get().extracting(R::id).isEqualTo("3f2a1bc");
  }

  @Test
  void anUnrecordedReleaseTakesItsNaturalPlaceWhenTheRecordsFollowTheIds() {
    ReleaseOrder<R> o = order(List.of(new R("11", 1), new R("12", 3), new R("13", 0), new R("115", 0),
        new R("10", 0)));
    assertThat(o.ids()).containsExactly("10", "11", "12", "13", "115");
    assertThat(o.previousOf("13")).get().extracting(R::id).isEqualTo("12");
  }

  @Test
  void anUnrecordedIdAfterRecordsThatBreakTheNaturalOrderIsRefused() {
    // 20240116 was deployed before 20240115-100000, so the ids cannot place 20240115-140000
    ReleaseOrder<R> o = order(List.of(new R("20240116-104500", 1), new R("20240115-100000", 2),
        new R("20240115-140000", 0), new R("20240101-000000", 0)));
    assertThat(o.unordered()).containsOnlyKeys("20240115-140000");
    assertThat(o.ids()).containsExactly("20240101-000000", "20240115-140000", "20240116-104500", "20240115-100000");
    assertThatThrownBy(() -> o.previousOf("20240115-100000")).isInstanceOf(UnorderedReleasesException.class)
        .hasMessageContaining("20240115-140000 (no deploy record, and the id sorts after recorded release "
            + "20240115-100000");
  }

  @Test
  void equalSequencesAreTiedByTheNaturalOrder() {
    assertThat(order(List.of(new R("10", 3), new R("9", 3), new R("1", 1))).ids()).containsExactly("1", "9", "10");
  }

  @Test
  void anIdThatIsGoneIsPlacedByItsNaturalOrderOrRefusedWhenItHasNone() {
    ReleaseOrder<R> numbers = order(unrecorded("1", "2", "10"));
    assertThat(numbers.previousOf("11")).get().extracting(R::id).isEqualTo("10");
    assertThat(numbers.previousOf("9")).get().extracting(R::id).isEqualTo("2");

    ReleaseOrder<R> shas = order(List.of(new R("9c0ffee", 1), new R("3f2a1bc", 2)));
    assertThatThrownBy(() -> shas.previousOf("e4d5c6b")).isInstanceOf(UnorderedReleasesException.class)
        .hasMessageContaining("e4d5c6b (it is gone and its id carries no order of its own)");
  }

  @Test
  void onlyIdsWithADigitAndNoHexDigestHaveANaturalOrder() {
    for (String id : List.of("12", "20240115-113000", "v1.2.10", "release-7", "1a", "abc123")) {
      assertThat(ReleaseOrder.hasNaturalOrder(id)).as(id).isTrue();
    }
    for (String id : List.of("3f2a1bc", "build-9c0ffee1", "blue", "DEADBEEF12",
        "0123456789abcdef0123456789abcdef01234567")) {
      assertThat(ReleaseOrder.hasNaturalOrder(id)).as(id).isFalse();
    }
  }

  @Test
  void theNaturalOrderIsTotalAndConsistentWithEquals() {
    List<String> ids = List.of("1", "01", "001", "1a", "1-2", "1.2", "a", "a1", "a01", "", "10", "9");
    for (String a : ids) {
      for (String b : ids) {
        int ab = Integer.signum(ReleaseOrder.NATURAL.compare(a, b));
        assertThat(ab).as(a + " vs " + b).isEqualTo(-Integer.signum(ReleaseOrder.NATURAL.compare(b, a)));
        assertThat(ab == 0).as(a + " vs " + b).isEqualTo(a.equals(b));
        for (String c : ids) {
          if (ab < 0 && ReleaseOrder.NATURAL.compare(b, c) < 0) {
            assertThat(ReleaseOrder.NATURAL.compare(a, c)).as(a + " < " + b + " < " + c).isNegative();
          }
        }
      }
    }
  }
}
