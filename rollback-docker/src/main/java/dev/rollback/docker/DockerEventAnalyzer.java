package dev.rollback.docker;

import com.github.dockerjava.api.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns container events into {@link DockerAlarm}s: an {@code oom} event is an {@code OOM_KILLED} alarm; the
 * {@code n}-th {@code die} of one container within {@code window} is a {@code RESTART_LOOP} alarm (raised once per
 * loop: the count starts again after it). Not thread-safe: {@link DockerEventsWatch} feeds it from one thread.
 */
public final class DockerEventAnalyzer {
  private final int dies;
  private final Duration window;
  private final Map<String, Deque<Instant>> exits = new HashMap<>();

  /**
   * @param dies exits within the window that make a loop, at least 2
   * @param window the window
   */
  public DockerEventAnalyzer(int dies, Duration window) {
    if (dies < 2) {
      throw new IllegalArgumentException("a restart loop needs at least 2 exits, was " + dies);
    }
    this.dies = dies;
    this.window = window;
  }

  /**
   * Looks at one event.
   *
   * @param e a container event
   * @return the alarm it raises, if any
   */
  public Optional<DockerAlarm> accept(Event e) {
    String action = e.getAction() != null ? e.getAction() : e.getStatus();
    if (action == null) {
      return Optional.empty();
    }
    String id = e.getActor() != null && e.getActor().getId() != null ? e.getActor().getId() : e.getId();
    Map<String, String> attrs = e.getActor() == null || e.getActor().getAttributes() == null ? Map.of()
        : e.getActor().getAttributes();
    String name = attrs.getOrDefault("name", id);
    Instant at = e.getTimeNano() != null ? Instant.ofEpochSecond(0, e.getTimeNano())
        : Instant.ofEpochSecond(e.getTime() == null ? 0 : e.getTime());
    if ("oom".equals(action)) {
      return Optional.of(new DockerAlarm(DockerAlarm.Kind.OOM_KILLED, id, name, at, "OOM kill in container " + name
          + " (image " + attrs.getOrDefault("image", "?") + ")"));
    }
    if ("die".equals(action)) {
      Deque<Instant> q = exits.computeIfAbsent(id, k -> new ArrayDeque<>());
      q.addLast(at);
      while (!q.isEmpty() && q.peekFirst().isBefore(at.minus(window))) {
        q.removeFirst();
      }
      if (q.size() >= dies) {
        q.clear();
        return Optional.of(new DockerAlarm(DockerAlarm.Kind.RESTART_LOOP, id, name, at, dies + " exits of container "
            + name + " within " + window.toSeconds() + " s (last exit code " + attrs.getOrDefault("exitCode", "?")
            + ")"));
      }
    }
    if ("destroy".equals(action)) {
      exits.remove(id);
    }
    return Optional.empty();
  }
}
