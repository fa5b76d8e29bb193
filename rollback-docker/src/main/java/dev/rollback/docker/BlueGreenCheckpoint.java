package dev.rollback.docker;

import dev.rollback.Checkpoint;
import java.util.Objects;

/**
 * What a blue-green rollback recorded: blue's configuration and state, and the upstream the proxy sent to.
 *
 * @param blue the serving container
 * @param upstream the proxy's upstream then
 */
public record BlueGreenCheckpoint(ContainerCheckpoint blue, String upstream) implements Checkpoint {

  /** Checks the fields. */
  public BlueGreenCheckpoint {
    Objects.requireNonNull(blue, "blue");
    Objects.requireNonNull(upstream, "upstream");
  }

  @Override
  public String describe() {
    return "proxy -> " + upstream + "; blue " + blue.describe();
  }
}
