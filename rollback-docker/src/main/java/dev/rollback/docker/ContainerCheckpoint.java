package dev.rollback.docker;

import dev.rollback.Checkpoint;
import java.util.Objects;

/**
 * A container's whole configuration and state recorded before a rollback; its description names environment
 * variables, never their values.
 *
 * @param spec the container's spec
 * @param running whether it was running
 * @param health its Docker health status then ({@code healthy}, {@code unhealthy}, {@code starting}), or
 *     {@code none} when it has no health check
 */
public record ContainerCheckpoint(ContainerSpec spec, boolean running, String health) implements Checkpoint {

  /** Checks the fields. */
  public ContainerCheckpoint {
    Objects.requireNonNull(spec, "spec");
    health = health == null ? "none" : health;
  }

  /**
   * Reads a container's spec and state.
   *
   * @param docker the daemon
   * @param container its name or id
   * @return the checkpoint
   */
  public static ContainerCheckpoint of(Docker docker, String container) {
    ContainerSpec spec = ContainerSpec.of(docker, container);
    var state = docker.container(spec.containerId()).getState();
    return new ContainerCheckpoint(spec, Boolean.TRUE.equals(state.getRunning()),
        state.getHealth() == null ? null : state.getHealth().getStatus());
  }

  /** @return true when it was healthy, or running without a health check: restoring it should get it there again */
  public boolean wasReady() {
    return running && ("healthy".equals(health) || "none".equals(health));
  }

  @Override
  public String describe() {
    return spec.describe() + "; " + (running ? "running" : "not running") + ", health " + health;
  }

  /** Same as {@link #describe()}: never the environment's values. */
  @Override
  public String toString() {
    return describe();
  }
}
