package dev.rollback.docker;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Starts an exec over a connection of its own ({@code POST /exec/<id>/start} upgraded to a raw stream), writes
 * stdin and then half-closes the connection, which is how the daemon learns of the end of input (docker-java's
 * transports never half-close: a {@code cat} in the container would wait forever, docker-java issues 471, 1684).
 * Output arrives multiplexed: 8-byte frame headers (stream 1 = stdout, 2 = stderr, big-endian length).
 */
final class ExecStream {
  private ExecStream() {}

  /**
   * Runs the exec to the end of its output.
   *
   * @param host the daemon's address ({@code unix://} or {@code tcp://})
   * @param execId the exec to start
   * @param stdin input to send, or null
   * @param frames receives (stream type 1 or 2, payload)
   * @param timeoutMs at most this long, 0 for no limit
   * @return false when the timeout passed (the connection is then closed)
   * @throws IOException when the daemon refuses or the connection breaks
   */
  static boolean run(URI host, String execId, InputStream stdin, BiConsumer<Integer, byte[]> frames, long timeoutMs)
      throws IOException {
    SocketAddress addr = "unix".equals(host.getScheme()) ? UnixDomainSocketAddress.of(host.getPath())
        : new InetSocketAddress(host.getHost(), host.getPort());
    try (SocketChannel ch = SocketChannel.open(addr)) {
      byte[] body = "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.US_ASCII);
      String head = "POST /exec/" + execId + "/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
          + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: " + body.length + "\r\n\r\n";
      writeAll(ch, head.getBytes(StandardCharsets.US_ASCII));
      writeAll(ch, body);
      Reader in = new Reader(ch);
      String status = in.line();
      String line;
      while (!(line = in.line()).isEmpty()) {
        // headers: nothing needed from them
      }
      if (!status.contains(" 101 ") && !status.contains(" 200 ")) {
        byte[] rest = in.rest();
        throw new IOException("the daemon answered " + status + ": " + Docker.daemonMessage(
            new String(rest, StandardCharsets.UTF_8)));
      }
      CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
        try {
          if (stdin != null) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = stdin.read(buf)) > 0) {
              writeAll(ch, java.util.Arrays.copyOf(buf, n));
            }
          }
          ch.shutdownOutput();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
        try {
          byte[] h;
          while ((h = in.exactly(8)) != null) {
            int len = ((h[4] & 0xff) << 24) | ((h[5] & 0xff) << 16) | ((h[6] & 0xff) << 8) | (h[7] & 0xff);
            byte[] payload = in.exactly(len);
            if (payload == null) {
              break;
            }
            frames.accept((int) h[0], payload);
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      try {
        if (timeoutMs > 0) {
          reader.get(timeoutMs, TimeUnit.MILLISECONDS);
        } else {
          reader.get();
        }
      } catch (TimeoutException e) {
        return false;
      } catch (ExecutionException e) {
        throw new IOException("the exec's stream broke: " + e.getCause().getMessage(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      } finally {
        writer.cancel(true);
      }
      return true;
    }
  }

  private static void writeAll(SocketChannel ch, byte[] b) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(b);
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  /** Buffered reads from the channel: header lines, then exact byte counts. */
  private static final class Reader {
    private final SocketChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);

    Reader(SocketChannel ch) {
      this.ch = ch;
      buf.flip();
    }

    private boolean fill() throws IOException {
      buf.compact();
      int n = ch.read(buf);
      buf.flip();
      return n > 0;
    }

    String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      while (true) {
        while (buf.hasRemaining()) {
          char c = (char) buf.get();
          if (c == '\n') {
            int len = sb.length();
            return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
          }
          sb.append(c);
        }
        if (!fill()) {
          return sb.toString();
        }
      }
    }

    byte[] exactly(int n) throws IOException {
      byte[] out = new byte[n];
      int got = 0;
      while (got < n) {
        if (!buf.hasRemaining() && !fill()) {
          return null;
        }
        int k = Math.min(n - got, buf.remaining());
        buf.get(out, got, k);
        got += k;
      }
      return out;
    }

    byte[] rest() throws IOException {
      java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
      long end = System.nanoTime() + 2_000_000_000L;
      while (System.nanoTime() < end) {
        while (buf.hasRemaining()) {
          o.write(buf.get());
        }
        if (o.size() > 0 && o.toString(StandardCharsets.UTF_8).contains("}") || !fill()) {
          break;
        }
      }
      return o.toByteArray();
    }
  }
}
