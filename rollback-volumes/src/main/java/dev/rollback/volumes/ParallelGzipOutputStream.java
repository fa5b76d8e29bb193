package dev.rollback.volumes;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip compressed in parallel blocks, pigz-style: every block is a complete gzip member, and a file of concatenated
 * members is valid gzip (RFC 1952, section 2.2) that {@code gzip -d}, {@code tar xzf} and
 * {@link java.util.zip.GZIPInputStream} read as one stream.
 *
 * <p>Memory is bounded: at most {@code 2 × threads} blocks are in flight, each an input and an output buffer
 * taken from a pool, so heap use is about {@code 4 × threads × blockSize} whatever the stream's length.
 */
final class ParallelGzipOutputStream extends OutputStream {
  private static final AtomicInteger POOLS = new AtomicInteger();
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

  private final OutputStream out;
  private final int level;
  private final int blockSize;
  private final ExecutorService pool;
  private final BlockingQueue<Block> free;
  private final ArrayDeque<Future<Block>> pending = new ArrayDeque<>();
  private final int maxPending;
  private Block current;
  private boolean closed;

  private static final class Block {
    final byte[] in;
    final byte[] out;
    int inLen;
    int outLen;

    Block(int size) {
      in = new byte[size];
      // deflate's worst case: stored blocks, 5 bytes per 16 KiB, plus header and trailer
      out = new byte[size + size / 16_000 * 5 + 64 + HEADER.length + 8];
    }
  }

  ParallelGzipOutputStream(OutputStream out, int level, int threads, int blockSize) {
    this.out = out;
    this.level = level;
    this.blockSize = blockSize;
    this.maxPending = threads * 2;
    this.free = new ArrayBlockingQueue<>(maxPending + 1);
    for (int i = 0; i < maxPending + 1; i++) {
      free.add(new Block(blockSize));
    }
    int id = POOLS.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "rollback-gzip-" + id + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.current = free.poll();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("gzip stream already closed");
    }
    while (len > 0) {
      int n = Math.min(len, blockSize - current.inLen);
      System.arraycopy(b, off, current.in, current.inLen, n);
      current.inLen += n;
      off += n;
      len -= n;
      if (current.inLen == blockSize) {
        submit();
      }
    }
  }

  private void submit() throws IOException {
    Block b = current;
    pending.add(pool.submit(() -> compress(b)));
    while (pending.size() >= maxPending) {
      drainOne();
    }
    try {
      current = free.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    }
    current.inLen = 0;
  }

  private Block compress(Block b) {
    Deflater d = new Deflater(level, true);
    try {
      System.arraycopy(HEADER, 0, b.out, 0, HEADER.length);
      d.setInput(b.in, 0, b.inLen);
      d.finish();
      int pos = HEADER.length;
      while (!d.finished()) {
        pos += d.deflate(b.out, pos, b.out.length - 8 - pos);
      }
      CRC32 crc = new CRC32();
      crc.update(b.in, 0, b.inLen);
      pos = putIntLe(b.out, pos, (int) crc.getValue());
      pos = putIntLe(b.out, pos, b.inLen);
      b.outLen = pos;
      return b;
    } finally {
      d.end();
    }
  }

  private static int putIntLe(byte[] a, int pos, int v) {
    a[pos] = (byte) v;
    a[pos + 1] = (byte) (v >>> 8);
    a[pos + 2] = (byte) (v >>> 16);
    a[pos + 3] = (byte) (v >>> 24);
    return pos + 4;
  }

  private void drainOne() throws IOException {
    Future<Block> f = pending.poll();
    Block b;
    try {
      b = f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      throw new IOException("compressing a block failed: " + e.getCause(), e.getCause());
    }
    out.write(b.out, 0, b.outLen);
    b.inLen = 0;
    free.add(b);
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  /** Compresses what is buffered, writes every pending member in order, and closes the underlying stream. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (current.inLen > 0 || pending.isEmpty()) {
        // an empty input still gets one (empty) member, so the file is valid gzip
        Block b = current;
        pending.add(pool.submit(() -> compress(b)));
      }
      while (!pending.isEmpty()) {
        drainOne();
      }
    } finally {
      pool.shutdownNow();
      out.close();
    }
  }

  /** Stops the workers without writing what is pending; for failures. */
  void abort() {
    closed = true;
    pool.shutdownNow();
  }
}
