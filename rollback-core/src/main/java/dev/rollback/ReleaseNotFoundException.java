package dev.rollback;

import java.util.List;

/**
 * A rollback target (a release id, an image tag, a backup) does not exist; the message lists what does, e.g.
 * "release 20240115-113000 not found in /opt/app/releases; available: 20240116-091500, 20240116-104500".
 */
public class ReleaseNotFoundException extends RollbackException {
  private static final long serialVersionUID = 1L;
  private final String requested;
  private final List<String> available;

  /**
   * @param kind what was looked for, e.g. {@code release} or {@code image}
   * @param requested the id asked for
   * @param where where it was looked for
   * @param available the ids that exist there, in order
   */
  public ReleaseNotFoundException(String kind, String requested, String where, List<String> available) {
    super(kind + " " + requested + " not found in " + where + "; available: "
        + (available.isEmpty() ? "(none)" : String.join(", ", available)));
    this.requested = requested;
    this.available = List.copyOf(available);
  }

  /** @return the id asked for */
  public String requested() {
    return requested;
  }

  /** @return the ids that exist */
  public List<String> available() {
    return available;
  }
}
