package dev.rollback.db.internal;

import dev.rollback.RollbackException;
import dev.rollback.exec.Command;
import dev.rollback.exec.CommandFailedException;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code producer | consumer} with each side on its own executor and the bytes passing through this JVM: a dump
 * read on the backup host feeds {@code psql} in a container, say. Unlike a shell pipe, both exit statuses count: a
 * producer that dies midway (a truncated gzip) fails the pipe even when the consumer exits 0 on the short input.
 * And as in a shell pipe, a consumer that fails stops the producer: its next write fails, its executor closes its
 * output (a local process then gets {@code EPIPE}/{@code SIGPIPE}, a remote one is killed), so a {@code pg_dump}
 * whose file could not be written ends at once instead of dumping the whole database into nothing.
 */
public final class Pipe {
  private static final byte[] EOF = new byte[0];
  private static final int CHUNKS = 64;

  private Pipe() {}

  /** Both sides' results. */
  public record Result(ExecResult producer, ExecResult consumer) {}

  /**
   * Runs both commands, streaming the producer's stdout into the consumer's stdin.
   *
   * @param from where the producer runs
   * @param producer writes to stdout
   * @param to where the consumer runs
   * @param consumer reads stdin
   * @return both results, both successful
   * @throws CommandFailedException naming the side that failed (the producer's failure first)
   */
  public static Result run(Executor from, Command producer, Executor to, Command consumer) {
    BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CHUNKS);
    QueueOut out = new QueueOut(queue);
    CompletableFuture<ExecResult> prod = CompletableFuture.supplyAsync(() -> {
      try {
        return from.run(producer.withStdout(out));
      } finally {
        out.close();
      }
    });
    ExecResult cons = null;
    boolean producerEndedFirst;
    try {
      cons = to.run(consumer.withStdin(() -> new QueueIn(queue, out), producer.display()));
    } finally {
      // a producer that had ended before the consumer may be why the consumer failed (a truncated input): its
      // failure is told first; otherwise the consumer failed on its own and the producer is stopped
      producerEndedFirst = prod.isDone();
      if (cons == null || !cons.succeeded()) {
        out.abort();
      } else {
        out.readerGone();
      }
    }
    ExecResult p;
    try {
      p = prod.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RollbackException("interrupted while waiting for " + producer.display(), e);
    } catch (ExecutionException e) {
      if (!producerEndedFirst && !cons.succeeded()) {
        throw new CommandFailedException(cons); // the producer failed only because it was stopped
      }
      Throwable c = e.getCause();
      throw c instanceof RuntimeException r ? r : new RollbackException(c.getMessage(), c);
    }
    if (!p.succeeded() && (producerEndedFirst || cons.succeeded())) {
      throw new CommandFailedException(p);
    }
    if (!cons.succeeded()) {
      throw new CommandFailedException(cons);
    }
    return new Result(p, cons);
  }

  /**
   * Producer side: chunks into a bounded queue. Once the reader is gone, bytes are drained so the producer ends (a
   * consumer may exit 0 without reading all); once the consumer failed, every write fails, which stops the producer.
   */
  private static final class QueueOut extends OutputStream {
    private final BlockingQueue<byte[]> queue;
    private volatile boolean readerGone;
    private volatile boolean aborted;
    private boolean closed;

    QueueOut(BlockingQueue<byte[]> queue) {
      this.queue = queue;
    }

    void readerGone() {
      readerGone = true;
      queue.clear();
    }

    void abort() {
      aborted = true;
      readerGone();
    }

    private void checkAborted() throws IOException {
      if (aborted) {
        throw new IOException("the consumer of this output failed: stopping");
      }
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      checkAborted();
      if (len == 0 || readerGone) {
        return;
      }
      put(Arrays.copyOfRange(b, off, off + len));
    }

    private void put(byte[] chunk) throws IOException {
      try {
        while (!readerGone) {
          if (queue.offer(chunk, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            return;
          }
        }
        checkAborted();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while piping");
      }
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        try {
          put(EOF);
        } catch (IOException ignored) {
          // interrupted: the reader is going away too
        }
      }
    }
  }

  /** Consumer side: reads chunks until the end marker. */
  private static final class QueueIn extends InputStream {
    private final BlockingQueue<byte[]> queue;
    private final QueueOut out;
    private byte[] current = new byte[0];
    private int pos;
    private boolean eof;

    QueueIn(BlockingQueue<byte[]> queue, QueueOut out) {
      this.queue = queue;
      this.out = out;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (!eof && pos >= current.length) {
        try {
          current = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while piping");
        }
        pos = 0;
        if (current == EOF) {
          eof = true;
        }
      }
      if (eof) {
        return -1;
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public void close() {
      out.readerGone();
    }
  }
}
