package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReleaseIdsTest {
  @Test
  void ordersDigitRunsByValueAndTimestampsChronologically() {
    List<String> ids = new ArrayList<>(List.of("10", "9", "20240116-091500", "2", "20240115-113000", "09", "1a",
        "1b"));
    ids.sort(ReleaseIds.ORDER);
    assertThat(ids).containsExactly("1a", "1b", "2", "9", "09", "10", "20240115-113000", "20240116-091500");
  }
}
