package dev.rollback.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A tree of mixed files like a real data volume: {@code files} files in directories of 100, sizes spread from a few
 * KiB to a few hundred, every third file random bytes and the rest text (words and numbers, which gzip shrinks to
 * about a third). Deterministic for a seed.
 */
final class MixedTree {
  private MixedTree() {}

  /**
   * Writes the tree.
   *
   * @param root an existing, empty directory
   * @param totalBytes the sum of the file sizes
   * @param files how many files
   * @param seed the seed
   * @return the bytes written (exactly {@code totalBytes})
   * @throws IOException when a file cannot be written
   */
  static long write(Path root, long totalBytes, int files, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    double[] weights = new double[files];
    double sum = 0;
    for (int i = 0; i < files; i++) {
      weights[i] = 0.05 + r.nextDouble() * 1.9;
      sum += weights[i];
    }
    String[] words = vocabulary(r);
    byte[] buf = new byte[1 << 16];
    long written = 0;
    for (int i = 0; i < files; i++) {
      long size = i == files - 1 ? totalBytes - written : (long) (totalBytes * weights[i] / sum);
      Path dir = root.resolve(String.format("d%03d", i / 100)).resolve(i % 7 == 0 ? "nested" : "");
      Files.createDirectories(dir);
      boolean random = i % 3 == 0;
      Path f = dir.resolve(String.format("file-%05d.%s", i, random ? "bin" : "txt"));
      try (OutputStream out = Files.newOutputStream(f)) {
        long left = size;
        while (left > 0) {
          int n = (int) Math.min(buf.length, left);
          if (random) {
            fillRandom(r, buf, n);
          } else {
            fillText(r, words, buf, n);
          }
          out.write(buf, 0, n);
          left -= n;
        }
      }
      written += size;
    }
    return written;
  }

  private static void fillRandom(SplittableRandom r, byte[] b, int n) {
    for (int i = 0; i < n; i += 8) {
      long v = r.nextLong();
      for (int k = 0; k < 8 && i + k < n; k++) {
        b[i + k] = (byte) (v >>> (8 * k));
      }
    }
  }

  private static void fillText(SplittableRandom r, String[] words, byte[] b, int n) {
    int i = 0;
    while (i < n) {
      String w = r.nextInt(8) == 0 ? Integer.toString(r.nextInt(1_000_000)) : words[r.nextInt(words.length)];
      byte[] wb = w.getBytes(StandardCharsets.US_ASCII);
      for (int k = 0; k < wb.length && i < n; k++) {
        b[i++] = wb[k];
      }
      if (i < n) {
        b[i++] = (byte) (r.nextInt(12) == 0 ? '\n' : ' ');
      }
    }
  }

  private static String[] vocabulary(SplittableRandom r) {
    String[] words = new String[4000];
    for (int i = 0; i < words.length; i++) {
      char[] c = new char[3 + r.nextInt(8)];
      for (int k = 0; k < c.length; k++) {
        c[k] = (char) ('a' + r.nextInt(26));
      }
      words[i] = new String(c);
    }
    return words;
  }
}
