package dev.rollback.exec;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Streams N MiB of pseudo-random bytes through a remote {@code cat} and back, digesting both sides; run in its own
 * small-heap JVM by {@link SshExecutorIT} to show the stream never sits in memory.
 *
 * <p>Arguments: host port user key known_hosts mebibytes. Prints one line and exits 0 when the digests match.
 */
public final class StreamThroughCat {
  private StreamThroughCat() {}

  public static void main(String[] args) throws Exception {
    long total = Long.parseLong(args[5]) << 20;
    SshOptions o = SshOptions.defaults().withHost(args[0]).withPort(Integer.parseInt(args[1])).withUser(args[2])
        .withIdentityFile(Path.of(args[3])).withKnownHosts(Path.of(args[4]));
    MessageDigest in = MessageDigest.getInstance("SHA-256");
    MessageDigest out = MessageDigest.getInstance("SHA-256");
    long[] received = {0};
    OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), out) {
      @Override
      public void write(byte[] b, int off, int len) throws java.io.IOException {
        received[0] += len;
        super.write(b, off, len);
      }
    };
    ExecResult r;
    try (SshExecutor ssh = SshExecutor.connect(o)) {
      r = ssh.run(Command.of("cat").withStdin(() -> new DigestInputStream(new RandomBytes(total), in), "random")
          .withStdout(sink));
    }
    String a = HexFormat.of().formatHex(in.digest());
    String b = HexFormat.of().formatHex(out.digest());
    boolean ok = r.succeeded() && a.equals(b) && received[0] == total;
    System.out.println((ok ? "OK" : "MISMATCH") + " sent=" + total + " received=" + received[0] + " in=" + a
        + " out=" + b + " maxHeapMiB=" + (Runtime.getRuntime().maxMemory() >> 20) + " result=" + r.describeEnd());
    System.exit(ok ? 0 : 1);
  }

  /** Pseudo-random bytes made on the fly, never held whole. */
  static final class RandomBytes extends InputStream {
    private final SplittableRandom random = new SplittableRandom(20261121);
    private long left;

    RandomBytes(long total) {
      this.left = total;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      int i = 0;
      for (; i + 8 <= n; i += 8) {
        long v = random.nextLong();
        for (int k = 0; k < 8; k++) {
          b[off + i + k] = (byte) (v >>> (8 * k));
        }
      }
      for (; i < n; i++) {
        b[off + i] = (byte) random.nextInt(256);
      }
      left -= n;
      return n;
    }
  }
}
