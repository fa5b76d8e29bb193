package dev.rollback.volumes;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands writes to its own thread through a bounded set of buffers, so that hashing and writing the archive file
 * overlap with compressing the next bytes. Heap use is {@code (depth + 2) × chunk} bytes. A failure of the
 * underlying stream surfaces on the next write, flush or close.
 */
final class WriteBehindOutputStream extends OutputStream {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final Chunk END = new Chunk(0);

  private final OutputStream sink;
  private final BlockingQueue<Chunk> filled;
  private final BlockingQueue<Chunk> free;
  private final Thread writer;
  private volatile IOException failure;
  private Chunk current;
  private boolean closed;

  private static final class Chunk {
    final byte[] buf;
    int len;

    Chunk(int size) {
      buf = new byte[size];
    }
  }

  WriteBehindOutputStream(OutputStream sink, int chunk, int depth) {
    this.sink = sink;
    this.filled = new ArrayBlockingQueue<>(depth + 3);
    this.free = new ArrayBlockingQueue<>(depth + 2);
    for (int i = 0; i < depth + 1; i++) {
      free.add(new Chunk(chunk));
    }
    this.current = new Chunk(chunk);
    this.writer = new Thread(this::drain, "rollback-writebehind-" + THREADS.incrementAndGet());
    writer.setDaemon(true);
    writer.start();
  }

  private void drain() {
    try {
      while (true) {
        Chunk c = filled.take();
        if (c == END) {
          return;
        }
        if (failure == null) {
          try {
            sink.write(c.buf, 0, c.len);
          } catch (IOException e) {
            failure = e;
          } catch (RuntimeException e) {
            failure = new IOException(e);
          }
        }
        c.len = 0;
        free.add(c);
      }
    } catch (InterruptedException e) {
      failure = new InterruptedIOException("write-behind interrupted");
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    check();
    while (len > 0) {
      int n = Math.min(len, current.buf.length - current.len);
      System.arraycopy(b, off, current.buf, current.len, n);
      current.len += n;
      off += n;
      len -= n;
      if (current.len == current.buf.length) {
        hand();
      }
    }
  }

  private void hand() throws IOException {
    try {
      filled.put(current);
      current = free.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing");
    }
    check();
  }

  private void check() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Hands over what is buffered (the sink itself is flushed on close). */
  @Override
  public void flush() throws IOException {
    if (current.len > 0) {
      hand();
    }
  }

  /** Writes everything pending, waits for the writer, then closes the sink; rethrows the writer's failure. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      if (failure == null && current.len > 0) {
        filled.put(current);
      }
      filled.put(END);
      writer.join();
    } catch (InterruptedException e) {
      writer.interrupt();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while finishing the archive");
    } finally {
      closed = true;
    }
    if (failure != null) {
      throw failure;
    }
    sink.close();
  }

  /** Stops the writer without finishing; for failures. */
  void abort() {
    closed = true;
    writer.interrupt();
  }
}
