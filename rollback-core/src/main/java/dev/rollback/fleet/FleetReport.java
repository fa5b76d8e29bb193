package dev.rollback.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rollback.RollbackException;
import dev.rollback.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A fleet rollback: its outcome, each wave's timing and every host's report.
 *
 * @param target the fleet's name
 * @param outcome how it ended
 * @param startedAt when it started
 * @param duration how long it took, connections included
 * @param connectDuration from the start until the last host's connection opened or failed; connections open in
 *     parallel and the first waves run meanwhile, so this overlaps them
 * @param waves each wave that started, in order
 * @param hosts every host, in the order given
 * @param failure why the fleet stopped, or null
 */
public record FleetReport(String target, Outcome outcome, Instant startedAt, Duration duration,
    Duration connectDuration, List<WaveReport> waves, List<HostReport> hosts, String failure) {

  /** How a fleet rollback ended. */
  public enum Outcome {
    /** Every host rolled back and verified. */
    ROLLED_BACK,
    /** A wave failed: its hosts (and, on request, the earlier waves') were put back; later waves never started. */
    STOPPED,
    /** A host could not be put back or timed out: a person must look at the hosts marked so. */
    FAILED
  }

  /** Copies the lists. */
  public FleetReport {
    waves = List.copyOf(waves);
    hosts = List.copyOf(hosts);
  }

  /**
   * @param outcome a host outcome
   * @return the hosts that ended so
   */
  public List<String> hostsWith(HostOutcome outcome) {
    return hosts.stream().filter(h -> h.outcome() == outcome).map(HostReport::host).toList();
  }

  /** @return the report as pretty JSON, every host's report included */
  public String toJson() {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new RollbackException("cannot write the fleet report: " + e.getMessage(), e);
    }
  }

  /** @return a readable summary: outcome, waves with timings, hosts not rolled back with why */
  public String toText() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "fleet %s: %s in %.3f s (%d host(s), "
        + "connections %.3f s)%n", target, outcome, duration.toNanos() / 1e9, hosts.size(),
        connectDuration.toNanos() / 1e9));
    for (WaveReport w : waves) {
      sb.append(String.format(Locale.ROOT, "  wave %d%s: %d host(s), %s in %.3f s%n", w.index(),
          w.index() == 1 ? " (canary)" : "", w.hosts().size(), w.succeeded() ? "rolled back" : "FAILED",
          w.duration().toNanos() / 1e9));
    }
    for (HostReport h : hosts) {
      if (h.outcome() != HostOutcome.ROLLED_BACK) {
        sb.append("  ").append(h.host()).append(": ").append(h.outcome())
            .append(h.error() == null ? "" : " (" + h.error() + ")").append('\n');
      }
    }
    if (failure != null) {
      sb.append("  stopped: ").append(failure).append('\n');
    }
    return sb.toString();
  }
}
