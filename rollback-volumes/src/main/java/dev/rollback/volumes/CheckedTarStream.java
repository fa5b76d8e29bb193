package dev.rollback.volumes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A tar stream for an unpacker this process does not run (the Engine's archive API, {@code tar -x} on another
 * host): every entry passes {@link TarEntryCheck}, and the stream is written again from the entries as read, so
 * the unpacker sees exactly what was checked (normalised names, no header this reader ignored and another might
 * honour). A refused entry is never sent: reading fails at it with the {@link TarEntryCheck.Refused}, which
 * {@link #refusal()} keeps for callers whose transport replaces the exception with its own.
 *
 * <p>Pull-based, no thread: each read converts as much of the input as it needs.
 */
final class CheckedTarStream extends InputStream {
  private static final int CHUNK = 1 << 16;
  private final InputStream raw;
  private final TarArchiveInputStream in;
  private final TarEntryCheck check = new TarEntryCheck();
  private final Pending pending = new Pending();
  private final TarArchiveOutputStream out;
  private final byte[] chunk = new byte[CHUNK];
  private long left;
  private TarArchiveEntry current;
  private boolean finished;
  private int pos;
  private volatile TarEntryCheck.Refused refusal;

  /** @param raw an uncompressed tar stream; read to its end, not closed */
  CheckedTarStream(InputStream raw) {
    this.raw = raw;
    this.in = new TarArchiveInputStream(raw, "UTF-8");
    this.out = TarEntries.writer(pending);
  }

  /** @return the entry refused while reading, or null */
  TarEntryCheck.Refused refusal() {
    return refusal;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (pos == pending.size()) {
      if (finished) {
        return -1;
      }
      pending.reset();
      pos = 0;
      advance();
    }
    int n = Math.min(len, pending.size() - pos);
    System.arraycopy(pending.bytes(), pos, b, off, n);
    pos += n;
    return n;
  }

  /** Converts one step of the input: a chunk of the current entry's content, the next header, or the end. */
  private void advance() throws IOException {
    if (left > 0) {
      int n;
      try {
        n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
      } catch (IOException failed) {
        throw TarEntryCheck.truncation(failed)
            ? new TarEntryCheck.Truncated(current.getName(), current.getSize(), failed) : failed;
      }
      if (n < 0) {
        throw new TarEntryCheck.Truncated(current.getName(), current.getSize(), null);
      }
      out.write(chunk, 0, n);
      left -= n;
      if (left == 0) {
        out.closeArchiveEntry();
      }
      return;
    }
    TarArchiveEntry e = in.getNextEntry();
    if (e == null) {
      out.finish();
      out.flush();
      // the zero records and the record padding: leave the input at its true end
      raw.transferTo(OutputStream.nullOutputStream());
      finished = true;
      return;
    }
    String name;
    try {
      name = check.accept(e);
    } catch (TarEntryCheck.Refused r) {
      refusal = r;
      throw r;
    }
    if (name.isEmpty()) {
      return;
    }
    TarArchiveEntry copy = TarEntries.copy(e, name);
    out.putArchiveEntry(copy);
    current = e;
    left = TarEntries.regular(copy) ? copy.getSize() : 0;
    if (left == 0) {
      out.closeArchiveEntry();
    }
  }

  /** The converted bytes not yet read. */
  private static final class Pending extends ByteArrayOutputStream {
    Pending() {
      super(CHUNK + (1 << 14));
    }

    byte[] bytes() {
      return buf;
    }
  }
}
