package dev.rollback.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PidLineFilterTest {
  private static final String MARKER = "rollback-pid-abc123";
  private final ByteArrayOutputStream sink = new ByteArrayOutputStream();
  private final PidLineFilter filter = new PidLineFilter(MARKER, sink);

  @Test
  void takesOutTheMarkerLineAndPassesTheRestThrough() throws IOException {
    write(MARKER + " 4242\nreal error\n");
    filter.flush();
    assertThat(filter.pid()).isEqualTo(4242);
    assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("real error\n");
  }

  @Test
  void findsTheMarkerSplitAcrossWritesAndAfterLoginScriptNoise() throws IOException {
    write("bashrc says hi\nrollback-p");
    write("id-abc123 7");
    write("7\npartial");
    write(" line");
    filter.flush();
    assertThat(filter.pid()).isEqualTo(77);
    assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("bashrc says hi\npartial line");
  }

  @Test
  void leavesLinesThatOnlyLookAlikeAndOnlyTakesTheFirstMarker() throws IOException {
    write(MARKER + " notanumber\nrollback-pid-other 12\n" + MARKER + " 9\n" + MARKER + " 10\n");
    filter.flush();
    assertThat(filter.pid()).isEqualTo(9);
    assertThat(sink.toString(StandardCharsets.UTF_8))
        .isEqualTo(MARKER + " notanumber\nrollback-pid-other 12\n" + MARKER + " 10\n");
  }

  @Test
  void givesUpAfterAFewKilobytesWithoutAMarkerAndLosesNothing() throws IOException {
    byte[] big = new byte[100_000];
    java.util.Arrays.fill(big, (byte) 'x');
    filter.write(big, 0, big.length);
    write("\n" + MARKER + " 5\n");
    filter.flush();
    assertThat(filter.pid()).isEqualTo(-1);
    assertThat(sink.size()).isEqualTo(big.length + 1 + MARKER.length() + 3);
  }

  @Test
  void passesAPartialFirstLineOnAtTheEnd() throws IOException {
    write("no newline at all");
    assertThat(sink.size()).isZero();
    filter.flush();
    assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("no newline at all");
    assertThat(filter.pid()).isEqualTo(-1);
  }

  private void write(String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    filter.write(b, 0, b.length);
  }
}
