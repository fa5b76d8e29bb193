package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.release.ReleaseOrder;
import dev.rollback.release.UnorderedReleasesException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReleaseIdsTest {
  static ReleaseRegistry.Entry deployed(long sequence) {
    return new ReleaseRegistry.Entry("sha256:" + sequence, Instant.EPOCH, sequence);
  }

  @Test
  void tagsOneToTwelveWithoutARegistryOrderAsNumbersSoTheOneBeforeTenIsNine() {
    List<String> ids = new ArrayList<>(IntStream.rangeClosed(1, 12).mapToObj(Integer::toString).toList());
    java.util.Collections.reverse(ids);
    ReleaseOrder<String> o = ReleaseIds.order("app", ids, Map.of());

    assertThat(o.list()).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
    assertThat(o.previousOf("10")).contains("9");
  }

  @Test
  void ordersTimestampsChronologicallyAndPaddedIdsByFewerLeadingZerosFirst() {
    assertThat(ReleaseIds.order("app", List.of("10", "9", "20240116-091500", "2", "20240115-113000", "09", "1a",
        "1b", "010"), Map.of()).list())
        .containsExactly("1a", "1b", "2", "9", "09", "10", "010", "20240115-113000", "20240116-091500");
  }

  @Test
  void theRegistrysDeploySequenceOrdersGitShaTags() {
    Map<String, ReleaseRegistry.Entry> recorded = Map.of("9c0ffee", deployed(1), "e4d5c6b", deployed(2),
        "3f2a1bc", deployed(3));
    ReleaseOrder<String> o = ReleaseIds.order("app", List.of("3f2a1bc", "9c0ffee", "e4d5c6b"), recorded);

    assertThat(o.list()).containsExactly("9c0ffee", "e4d5c6b", "3f2a1bc");
    assertThat(o.previousOf("3f2a1bc")).contains("e4d5c6b");
  }

  @Test
  void gitShaTagsWithoutARecordAreRefusedNamingThem() {
    ReleaseOrder<String> o = ReleaseIds.order("app", List.of("3f2a1bc", "9c0ffee", "e4d5c6b"), Map.of());
    assertThatThrownBy(() -> o.previousOf("3f2a1bc")).isInstanceOfSatisfying(UnorderedReleasesException.class,
        e -> assertThat(e.unordered()).containsExactlyInAnyOrder("3f2a1bc", "9c0ffee", "e4d5c6b"))
        .hasMessageContaining("cannot tell which release came before 3f2a1bc in app");
  }

  @Test
  void entriesRecordedBeforeTheSequenceFallBackToTheNaturalOrder() {
    Map<String, ReleaseRegistry.Entry> recorded = Map.of("10", new ReleaseRegistry.Entry("sha256:a", Instant.EPOCH),
        "9", new ReleaseRegistry.Entry("sha256:b", Instant.EPOCH), "11", deployed(1));
    assertThat(ReleaseIds.order("app", List.of("11", "10", "9"), recorded).previousOf("10")).contains("9");
  }
}
