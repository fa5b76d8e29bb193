package dev.rollback.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the Docker events stream and reports OOM kills and restart loops as {@link DockerAlarm}s: the trigger
 * side of an automatic rollback. A watchdog decides what to do with an alarm; this class only reports.
 *
 * <pre>{@code
 * try (DockerEventsWatch w = DockerEventsWatch.on(docker).label("app", "api").start(alarm -> queue.add(alarm))) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Defaults: all containers, a loop is 3 exits within 60 s. The consumer is called on docker-java's event
 * thread; keep it short. Immutable until {@link #start}; {@link #close()} stops the stream.
 */
public final class DockerEventsWatch implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(DockerEventsWatch.class);
  private final Docker docker;
  private final String labelKey;
  private final String labelValue;
  private final int dies;
  private final Duration window;
  private volatile ResultCallback.Adapter<Event> callback;

  private DockerEventsWatch(Docker docker, String labelKey, String labelValue, int dies, Duration window) {
    this.docker = docker;
    this.labelKey = labelKey;
    this.labelValue = labelValue;
    this.dies = dies;
    this.window = window;
  }

  /**
   * A watch of a daemon's container events.
   *
   * @param docker the daemon
   * @return the watch, not started
   */
  public static DockerEventsWatch on(Docker docker) {
    return new DockerEventsWatch(Objects.requireNonNull(docker, "docker"), null, null, 3, Duration.ofSeconds(60));
  }

  /**
   * Watches only containers with a label.
   *
   * @param key the label's key
   * @param value its value
   * @return a copy; default all containers
   */
  public DockerEventsWatch label(String key, String value) {
    return new DockerEventsWatch(docker, Objects.requireNonNull(key), Objects.requireNonNull(value), dies, window);
  }

  /**
   * @param exits how many exits of one container make a loop; default 3
   * @param within in what window; default 60 s
   * @return a copy
   */
  public DockerEventsWatch restartLoop(int exits, Duration within) {
    new DockerEventAnalyzer(exits, within);
    return new DockerEventsWatch(docker, labelKey, labelValue, exits, Objects.requireNonNull(within));
  }

  /**
   * Starts watching events from now on.
   *
   * @param onAlarm called with each alarm
   * @return this watch, running
   */
  public DockerEventsWatch start(Consumer<DockerAlarm> onAlarm) {
    Objects.requireNonNull(onAlarm, "onAlarm");
    DockerEventAnalyzer analyzer = new DockerEventAnalyzer(dies, window);
    var cmd = docker.client().eventsCmd().withEventTypeFilter(EventType.CONTAINER)
        .withEventFilter("oom", "die", "destroy").withSince(String.valueOf(Instant.now().getEpochSecond()));
    if (labelKey != null) {
      cmd.withLabelFilter(java.util.Map.of(labelKey, labelValue));
    }
    callback = docker.call("watch the events of " + docker.describe(), () -> cmd.exec(new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Event e) {
        analyzer.accept(e).ifPresent(a -> {
          try {
            onAlarm.accept(a);
          } catch (RuntimeException ex) {
            LOG.warn("docker alarm consumer threw {}; ignored", ex.toString());
          }
        });
      }
    }));
    return this;
  }

  /** Stops the stream. */
  @Override
  public void close() {
    ResultCallback.Adapter<Event> cb = callback;
    if (cb != null) {
      try {
        cb.close();
      } catch (IOException ignored) {
        // closing a stream
      }
    }
  }
}
