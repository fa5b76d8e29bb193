package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The read-ahead and write-behind stages between the daemon, the compressor and the file. */
class PipelineStreamsTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 100, 65_536, 1_000_000})
  void readAheadDeliversEveryByteInOrderEvenFromATrickleOfSmallReads(int length) throws IOException {
    byte[] data = random(length);
    InputStream trickle = new ByteArrayInputStream(data) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 97));
      }
    };

    try (ReadAheadInputStream in = new ReadAheadInputStream(trickle, 4096, 2)) {
      assertThat(in.readAllBytes()).isEqualTo(data);
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void readAheadSurfacesTheSourcesFailureToTheReader() {
    InputStream failing = new InputStream() {
      private int n;

      @Override
      public int read() throws IOException {
        if (n++ > 10_000) {
          throw new IOException("connection reset by daemon");
        }
        return 1;
      }
    };

    assertThatThrownBy(() -> {
      try (ReadAheadInputStream in = new ReadAheadInputStream(failing, 1024, 2)) {
        in.readAllBytes();
      }
    }).isInstanceOf(IOException.class).hasMessageContaining("connection reset by daemon");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4095, 4096, 1_000_000})
  void writeBehindWritesEveryByteInOrderAndClosesTheSink(int length) throws IOException {
    byte[] data = random(length);
    boolean[] closed = {false};
    ByteArrayOutputStream sink = new ByteArrayOutputStream() {
      @Override
      public void close() {
        closed[0] = true;
      }
    };

    try (WriteBehindOutputStream out = new WriteBehindOutputStream(sink, 4096, 2)) {
      for (int i = 0; i < length; i += 1000) {
        out.write(data, i, Math.min(1000, length - i));
      }
    }

    assertThat(sink.toByteArray()).isEqualTo(data);
    assertThat(closed[0]).isTrue();
  }

  @Test
  void writeBehindSurfacesTheSinksFailureOnClose() {
    OutputStream full = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("No space left on device");
      }
    };

    assertThatThrownBy(() -> {
      try (WriteBehindOutputStream out = new WriteBehindOutputStream(full, 4096, 2)) {
        out.write(new byte[100]);
      }
    }).isInstanceOf(IOException.class).hasMessage("No space left on device");
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }
}
