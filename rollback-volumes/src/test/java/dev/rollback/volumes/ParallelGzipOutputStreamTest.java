package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelGzipOutputStreamTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4095, 4096, 4097, 3 * 4096, 100_000})
  void concatenatedMembersDecompressToTheInputWhateverItsLength(int length) throws IOException {
    byte[] data = mixed(length);

    byte[] gz = compress(data, 6, 3, 4096);

    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void gnuGzipReadsTheStreamAsOneFile(@TempDir Path dir) throws Exception {
    byte[] data = mixed(1_000_000);
    Path file = dir.resolve("x.gz");
    Files.write(file, compress(data, 1, 2, 65536));

    Process p = new ProcessBuilder("gzip", "-dc", file.toString()).start();
    byte[] out = p.getInputStream().readAllBytes();

    assertThat(p.waitFor()).isZero();
    assertThat(out).isEqualTo(data);
  }

  @Test
  void higherLevelsCompressTextBetter() throws IOException {
    byte[] text = mixed(400_000);
    assertThat(compress(text, 9, 2, 65536).length).isLessThan(compress(text, 1, 2, 65536).length);
  }

  @Test
  void smallWritesAreBufferedIntoBlocks() throws IOException {
    byte[] data = mixed(10_000);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(sink, 6, 2, 1024)) {
      for (byte b : data) {
        gz.write(b);
      }
    }
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(sink.toByteArray()))) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  private static byte[] compress(byte[] data, int level, int threads, int block) throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(sink, level, threads, block)) {
      gz.write(data);
    }
    return sink.toByteArray();
  }

  /** Half text, half random: both deflate paths. */
  private static byte[] mixed(int length) {
    byte[] b = new byte[length];
    Random r = new Random(length);
    for (int i = 0; i < length; i++) {
      b[i] = i % 2000 < 1000 ? (byte) ("lorem ipsum dolor ".charAt(i % 18)) : (byte) r.nextInt();
    }
    return b;
  }
}
