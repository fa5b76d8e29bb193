package dev.rollback.docker;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Tees System.err (where slf4j-simple logs) into a buffer while open. */
final class CapturedStderr implements AutoCloseable {
  private final PrintStream original = System.err;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

  CapturedStderr() {
    OutputStream tee = new OutputStream() {
      @Override
      public synchronized void write(int b) {
        buffer.write(b);
        original.write(b);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) {
        buffer.write(b, off, len);
        original.write(b, off, len);
      }
    };
    System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
  }

  String text() {
    synchronized (buffer) {
      return buffer.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
