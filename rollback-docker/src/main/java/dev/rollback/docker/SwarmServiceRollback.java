package dev.rollback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.transport.DockerHttpClient.Request.Method;
import dev.rollback.Checkpoint;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackException;
import dev.rollback.RollbackStrategy;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Rolls a swarm service back to its previous spec with the engine's own rollback ({@code POST
 * /services/<id>/update?rollback=previous}, what {@code docker service rollback} does), then waits until the
 * service's tasks converge: as many running tasks as replicas, all on the previous spec's image (a task with a
 * health check counts once healthy). It fails early when tasks of the previous image keep failing.
 * {@link #restore}: the spec recorded in the checkpoint applied again, waited for the same way.
 *
 * <p>{@link #preflight} refuses when the service does not exist or has no previous spec (it was never updated).
 * Defaults: convergence deadline 60 s, polled every 250 ms, at most 3 failed tasks. Immutable.
 *
 * <pre>{@code
 * SwarmServiceRollback.of(docker, "web")
 * }</pre>
 */
public final class SwarmServiceRollback implements RollbackStrategy {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Docker docker;
  private final String service;
  private final Duration deadline;
  private final int maxFailedTasks;

  private SwarmServiceRollback(Docker docker, String service, Duration deadline, int maxFailedTasks) {
    this.docker = docker;
    this.service = service;
    this.deadline = deadline;
    this.maxFailedTasks = maxFailedTasks;
  }

  /**
   * A rollback of one service.
   *
   * @param docker a swarm manager
   * @param service the service's name or id
   * @return the strategy
   */
  public static SwarmServiceRollback of(Docker docker, String service) {
    Objects.requireNonNull(docker, "docker");
    if (service == null || !service.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new IllegalArgumentException("not a service name: '" + service + "'");
    }
    return new SwarmServiceRollback(docker, service, Duration.ofSeconds(60), 3);
  }

  /**
   * @param deadline how long the tasks may take to converge; default 60 s
   * @return a copy
   */
  public SwarmServiceRollback deadline(Duration deadline) {
    return new SwarmServiceRollback(docker, service, Objects.requireNonNull(deadline, "deadline"), maxFailedTasks);
  }

  /**
   * @param n how many tasks of the target image may fail before the rollback counts as failed; default 3
   * @return a copy
   */
  public SwarmServiceRollback maxFailedTasks(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("maxFailedTasks must be >= 1, was " + n);
    }
    return new SwarmServiceRollback(docker, service, deadline, n);
  }

  @Override
  public String describe() {
    return "roll swarm service " + service + " back to its previous spec";
  }

  private JsonNode inspect() {
    return docker.raw("inspect service " + service, Method.GET, "/services/" + service, null);
  }

  static String image(JsonNode serviceSpec) {
    return serviceSpec.path("TaskTemplate").path("ContainerSpec").path("Image").asText();
  }

  static String taskImage(JsonNode task) {
    return task.path("Spec").path("ContainerSpec").path("Image").asText();
  }

  @Override
  public void preflight(RollbackContext ctx) {
    JsonNode s;
    try {
      s = inspect();
    } catch (DockerCallException e) {
      if (e.status() == 404) {
        throw new RollbackException("swarm service " + service + " not found on " + docker.describe()
            + "; check the name with docker service ls", e);
      }
      throw e;
    }
    if (!s.hasNonNull("PreviousSpec")) {
      throw new RollbackException("swarm service " + service + " has no previous spec (it was never updated): "
          + "nothing to roll back to; it runs " + image(s.path("Spec")));
    }
    ctx.action("service " + service + " runs " + image(s.path("Spec")) + "; previous spec runs "
        + image(s.path("PreviousSpec")));
  }

  @Override
  public Checkpoint checkpoint(RollbackContext ctx) {
    JsonNode s = inspect();
    return new SwarmCheckpoint(s.path("ID").asText(), service, s.path("Spec"));
  }

  @Override
  public void rollback(RollbackContext ctx) {
    JsonNode s = inspect();
    String id = s.path("ID").asText();
    String target = image(s.path("PreviousSpec"));
    long version = s.path("Version").path("Index").asLong();
    if (ctx.dryRun()) {
      ctx.action("would roll service " + service + " back to its previous spec (" + target + ") and wait until "
          + "its tasks run it");
      return;
    }
    Instant since = Instant.now();
    ctx.action("roll service " + service + " back (engine rollback, version " + version + "): " + image(s.path("Spec"))
        + " -> " + target);
    docker.raw("roll back service " + service, Method.POST, "/services/" + id + "/update?version=" + version
        + "&rollback=previous", s.path("Spec"));
    ctx.action("converged: " + awaitConverged(id, target, since));
  }

  @Override
  public void restore(RollbackContext ctx, Checkpoint checkpoint) {
    SwarmCheckpoint cp = (SwarmCheckpoint) checkpoint;
    if (ctx.dryRun()) {
      ctx.action("would apply the recorded spec of " + service + " (" + image(cp.spec()) + ") again");
      return;
    }
    JsonNode s = docker.raw("inspect service " + service, Method.GET, "/services/" + cp.serviceId(), null);
    long version = s.path("Version").path("Index").asLong();
    Instant since = Instant.now();
    ctx.action("apply the recorded spec of " + service + " again (" + image(cp.spec()) + ")");
    docker.raw("update service " + service, Method.POST, "/services/" + cp.serviceId() + "/update?version="
        + version, cp.spec());
    ctx.action("converged: " + awaitConverged(cp.serviceId(), image(cp.spec()), since));
  }

  private String awaitConverged(String id, String image, Instant since) {
    long end = System.nanoTime() + deadline.toNanos();
    String last = "no tasks yet";
    while (true) {
      JsonNode s = docker.raw("inspect service " + service, Method.GET, "/services/" + id, null);
      JsonNode replicated = s.path("Spec").path("Mode").path("Replicated");
      long want = replicated.isMissingNode() ? -1 : replicated.path("Replicas").asLong(1);
      String filters = "{\"service\":[\"" + id + "\"]}";
      JsonNode tasks = docker.raw("list tasks of service " + service, Method.GET, "/tasks?filters="
          + URLEncoder.encode(filters, StandardCharsets.UTF_8), null);
      int runningOnImage = 0;
      int runningOther = 0;
      List<String> failures = new ArrayList<>();
      for (JsonNode t : tasks) {
        String state = t.path("Status").path("State").asText();
        String timg = taskImage(t);
        String desired = t.path("DesiredState").asText();
        boolean onImage = timg.equals(image);
        if ("running".equals(state) && "running".equals(desired)) {
          if (onImage) {
            runningOnImage++;
          } else {
            runningOther++;
          }
        }
        Instant created = parse(t.path("CreatedAt").asText());
        if (onImage && created != null && !created.isBefore(since)
            && List.of("failed", "rejected", "orphaned").contains(state)) {
          failures.add(state + ": " + t.path("Status").path("Err").asText(t.path("Status").path("Message").asText()));
        }
      }
      last = runningOnImage + " task(s) running " + image + (want >= 0 ? " of " + want : "") + ", " + runningOther
          + " running another image, " + failures.size() + " failed";
      if (failures.size() >= maxFailedTasks) {
        throw new RollbackException("service " + service + " does not converge on " + image + ": "
            + failures.size() + " task(s) failed (" + String.join("; ", failures.subList(0, Math.min(3,
                failures.size()))) + ")");
      }
      if (runningOther == 0 && runningOnImage > 0 && (want < 0 || runningOnImage == want)) {
        return last;
      }
      if (System.nanoTime() > end) {
        throw new RollbackException("service " + service + " did not converge on " + image + " within "
            + deadline.toSeconds() + " s: " + last);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RollbackException("interrupted while waiting for service " + service);
      }
    }
  }

  private static Instant parse(String s) {
    try {
      return Instant.parse(s);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * A service's spec before the rollback. Its description names the image only: the spec may carry secrets in
   * its environment.
   *
   * @param serviceId the service's id
   * @param service its name
   * @param spec its spec as the engine returned it
   */
  public record SwarmCheckpoint(String serviceId, String service, JsonNode spec) implements Checkpoint {
    @Override
    public String describe() {
      return "swarm service " + service + " (" + ReleaseImage.shortId(serviceId) + ") running " + image(spec);
    }

    /** Same as {@link #describe()}. */
    @Override
    public String toString() {
      return describe();
    }
  }
}
