package dev.rollback.release;

import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads the framed output of {@link ReleaseDirectory}'s verification script as it streams, hashing each file
 * without holding it: {@code F <size>\n<bytes>} for a file, {@code M\n} for a missing one, {@code L1\n} or
 * {@code L0\n} for a link that resolves or not. Memory stays flat whatever the files' sizes.
 */
final class FramedDigests extends OutputStream {
  /** The sha256 of each file in order; null for a missing one. */
  final List<String> files = new ArrayList<>();
  /** Whether each link resolved, in order. */
  final List<Boolean> links = new ArrayList<>();
  private final StringBuilder header = new StringBuilder();
  private MessageDigest digest;
  private long remaining;
  private boolean malformed;

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      if (digest != null) {
        int n = (int) Math.min(remaining, end - i);
        digest.update(b, i, n);
        i += n;
        remaining -= n;
        if (remaining == 0) {
          files.add(HexFormat.of().formatHex(digest.digest()));
          digest = null;
        }
        continue;
      }
      byte c = b[i++];
      if (c != '\n') {
        header.append((char) c);
        continue;
      }
      String line = header.toString();
      header.setLength(0);
      if (line.startsWith("F ")) {
        try {
          remaining = Long.parseLong(line.substring(2).trim());
        } catch (NumberFormatException e) {
          malformed = true;
          continue;
        }
        digest = sha256();
        if (remaining == 0) {
          files.add(HexFormat.of().formatHex(digest.digest()));
          digest = null;
        }
      } else if (line.equals("M")) {
        files.add(null);
      } else if (line.equals("L1") || line.equals("L0")) {
        links.add(line.equals("L1"));
      } else {
        malformed = true;
      }
    }
  }

  /** @return true when the stream ended mid-file or held a line it did not expect */
  boolean malformed() {
    return malformed || digest != null || header.length() > 0;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
