package dev.rollback.volumes;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The archive file being written: counts and sha256-digests every byte, and syncs to disk on close. */
final class ArchiveFileOutput extends OutputStream {
  private final FileChannel channel;
  private final MessageDigest sha256;
  private long count;
  private boolean closed;

  ArchiveFileOutput(Path file) throws IOException {
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    this.sha256 = newSha256();
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    sha256.update(b, off, len);
    ByteBuffer buf = ByteBuffer.wrap(b, off, len);
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    count += len;
  }

  /** @return bytes written so far */
  long count() {
    return count;
  }

  /** @return the sha256 of everything written, as lower-case hex; call after close */
  String sha256Hex() {
    return HexFormat.of().formatHex(sha256.digest());
  }

  /** Forces the bytes to disk, then closes: a renamed archive is a complete one even after a crash. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      channel.force(true);
    } finally {
      channel.close();
    }
  }

  /** Closes without syncing; for failures. */
  void abort() {
    closed = true;
    try {
      channel.close();
    } catch (IOException ignored) {
      // the partial file is deleted next
    }
  }
}
