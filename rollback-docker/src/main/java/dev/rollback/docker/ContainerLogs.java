package dev.rollback.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.LogContainerCmd;
import com.github.dockerjava.api.model.Frame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reads a container's log lines (stdout and stderr, in order), bounded in lines and time. */
public final class ContainerLogs {
  private ContainerLogs() {}

  /**
   * Reads log lines.
   *
   * @param docker the daemon
   * @param container name or id
   * @param since only lines logged at or after this instant (second resolution, as the Engine API has), or null
   * @param tail only the last this many lines, or 0 for all
   * @param timeout how long to wait for the daemon to send them
   * @return the lines, oldest first
   * @throws DockerCallException when the daemon refuses
   */
  public static List<String> read(Docker docker, String container, Instant since, int tail, Duration timeout) {
    List<String> lines = new ArrayList<>();
    StringBuilder partial = new StringBuilder();
    docker.run("read the logs of container " + container, () -> {
      LogContainerCmd cmd = docker.client().logContainerCmd(container).withStdOut(true).withStdErr(true)
          .withFollowStream(false);
      if (since != null) {
        cmd.withSince((int) since.getEpochSecond());
      }
      if (tail > 0) {
        cmd.withTail(tail);
      } else {
        cmd.withTailAll();
      }
      try (ResultCallback.Adapter<Frame> cb = cmd.exec(new ResultCallback.Adapter<>() {
        @Override
        public void onNext(Frame frame) {
          synchronized (lines) {
            partial.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
            int nl;
            while ((nl = partial.indexOf("\n")) >= 0) {
              lines.add(partial.substring(0, nl));
              partial.delete(0, nl + 1);
            }
          }
        }
      })) {
        if (!cb.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("the daemon did not send the logs of " + container + " within "
              + timeout.toMillis() + " ms");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading the logs of " + container, e);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    synchronized (lines) {
      if (partial.length() > 0) {
        lines.add(partial.toString());
      }
      return List.copyOf(lines);
    }
  }
}
