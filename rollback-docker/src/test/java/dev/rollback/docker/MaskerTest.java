package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MaskerTest {
  @Test
  void masksEveryValueLongestFirstAndLeavesShortValuesAlone() {
    Masker m = new Masker(List.of("abc", "abcdef-secret", "1"));
    assertThat(m.mask("x abcdef-secret y abc z 1")).isEqualTo("x *** y *** z 1");
    assertThat(m.mask(null)).isNull();
    assertThat(Masker.none().mask("abc")).isEqualTo("abc");
  }
}
