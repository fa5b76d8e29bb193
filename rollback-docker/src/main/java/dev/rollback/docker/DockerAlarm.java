package dev.rollback.docker;

import java.time.Instant;

/**
 * Something the Docker events stream says is wrong with a container: grounds for an automatic rollback (seed 002's
 * triggers: "OOM kills detected", restart loops).
 *
 * @param kind what happened
 * @param containerId the container's id
 * @param container its name
 * @param at when the event that raised it happened
 * @param detail one line, e.g. {@code 3 exits within 60 s (last exit code 3)}
 */
public record DockerAlarm(Kind kind, String containerId, String container, Instant at, String detail) {

  /** The kinds of alarm. */
  public enum Kind {
    /** The kernel's OOM killer killed a process of the container. */
    OOM_KILLED,
    /** The container exited again and again within a short window. */
    RESTART_LOOP
  }
}
