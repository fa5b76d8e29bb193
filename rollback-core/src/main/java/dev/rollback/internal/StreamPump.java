package dev.rollback.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Copies streams on daemon threads: process output into a sink or a bounded capture, input into a process. */
public final class StreamPump {
  private static final AtomicInteger COUNT = new AtomicInteger();
  private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "rollback-pump-" + COUNT.incrementAndGet());
    t.setDaemon(true);
    return t;
  });
  private static final int BUFFER = 64 * 1024;

  private StreamPump() {}

  /** Output captured up to a limit; bytes beyond it are read and dropped. */
  public static final class Capture extends OutputStream {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final int limit;
    private boolean truncated;

    /** @param limit bytes kept */
    public Capture(int limit) {
      this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
      if (buf.size() < limit) {
        buf.write(b);
      } else {
        truncated = true;
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      int room = limit - buf.size();
      if (len > room) {
        truncated = true;
      }
      if (room > 0) {
        buf.write(b, off, Math.min(room, len));
      }
    }

    /** @return what was kept, as UTF-8 */
    public synchronized String text() {
      return buf.toString(StandardCharsets.UTF_8);
    }

    /** @return true when bytes were dropped */
    public synchronized boolean truncated() {
      return truncated;
    }
  }

  /**
   * Copies {@code in} to {@code out} until end of stream, on a pool thread; closes {@code in}, and {@code out} when
   * {@code closeOut}.
   *
   * @param in source
   * @param out sink
   * @param closeOut whether to close the sink at the end
   * @return the copy's future; it fails with the I/O error, if any
   */
  public static Future<Long> copy(InputStream in, OutputStream out, boolean closeOut) {
    return POOL.submit(() -> {
      long n = 0;
      try (InputStream src = in) {
        byte[] b = new byte[BUFFER];
        int r;
        while ((r = src.read(b)) >= 0) {
          out.write(b, 0, r);
          n += r;
        }
        out.flush();
      } finally {
        if (closeOut) {
          try {
            out.close();
          } catch (IOException ignored) {
            // the reader went away; nothing more to tell
          }
        }
      }
      return n;
    });
  }
}
