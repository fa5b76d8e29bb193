package dev.rollback.exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Sits in front of a remote command's stderr sink and takes out the one line the wrapper writes before
 * {@code exec}: the marker and the remote PID, which is also the process group (sshd starts each session command
 * with {@code setsid}). Everything else passes through unchanged, including any lines a login script printed
 * before the marker. If no marker shows up within the first few KiB, the filter stops looking.
 */
final class PidLineFilter extends OutputStream {
  private static final int LOOK_LIMIT = 8 * 1024;
  private final byte[] prefix;
  private final OutputStream sink;
  private ByteArrayOutputStream line = new ByteArrayOutputStream(); // null once the marker was found or given up
  private int seen;
  private volatile long pid = -1;

  /**
   * @param marker the per-command token the wrapper prints before its PID
   * @param sink where stderr goes
   */
  PidLineFilter(String marker, OutputStream sink) {
    this.prefix = (marker + " ").getBytes(StandardCharsets.US_ASCII);
    this.sink = sink;
  }

  /** @return the remote PID, or -1 while it has not been seen */
  long pid() {
    return pid;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    int end = off + len;
    int i = off;
    while (line != null && i < end) {
      byte c = b[i++];
      line.write(c);
      seen++;
      if (c == '\n') {
        byte[] l = line.toByteArray();
        line.reset();
        if (!takePid(l)) {
          sink.write(l);
        }
      } else if (seen > LOOK_LIMIT) {
        giveUp();
      }
    }
    if (i < end) {
      sink.write(b, i, end - i);
    }
  }

  private boolean takePid(byte[] l) {
    if (l.length <= prefix.length + 1) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (l[k] != prefix[k]) {
        return false;
      }
    }
    String digits = new String(l, prefix.length, l.length - prefix.length - 1, StandardCharsets.US_ASCII);
    if (!digits.matches("[0-9]{1,10}")) {
      return false;
    }
    pid = Long.parseLong(digits);
    line = null;
    return true;
  }

  private void giveUp() throws IOException {
    if (line != null) {
      line.writeTo(sink);
      line = null;
    }
  }

  /** At the end of the stream (the only time the pump flushes), passes on a partial line that is not the marker. */
  @Override
  public void flush() throws IOException {
    giveUp();
    sink.flush();
  }
}
