package dev.rollback.fleet;

import java.time.Duration;
import java.util.List;

/**
 * One wave of a fleet rollback.
 *
 * @param index from 1; wave 1 is the canary
 * @param hosts its hosts
 * @param succeeded whether every host rolled back
 * @param duration from its start to its end, undo included
 */
public record WaveReport(int index, List<String> hosts, boolean succeeded, Duration duration) {
  /** Copies the hosts. */
  public WaveReport {
    hosts = List.copyOf(hosts);
  }
}
