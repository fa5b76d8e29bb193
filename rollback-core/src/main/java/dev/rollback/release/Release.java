package dev.rollback.release;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One release directory.
 *
 * @param id its id
 * @param path its directory, {@code <root>/releases/<id>}
 * @param manifest its {@code release.json}, when it has one that reads (a rollback's one-command read carries only
 *     the target's)
 * @param pinned whether retention must keep it
 * @param deploySequence its deploy record ({@link ReleaseManifest#sequence()} of a manifest naming this release),
 *     which orders it (see {@link ReleaseOrder}); empty when it has none
 */
public record Release(String id, String path, Optional<ReleaseManifest> manifest, boolean pinned,
    OptionalLong deploySequence) {

  /** Checks the fields. */
  public Release {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(deploySequence, "deploySequence");
  }

  /**
   * A release whose deploy record is read from its manifest: only a manifest that names this release counts (a
   * directory copied by hand carries another release's record).
   *
   * @param id its id
   * @param path its directory
   * @param manifest its {@code release.json}, if it reads
   * @param pinned whether retention must keep it
   */
  public Release(String id, String path, Optional<ReleaseManifest> manifest, boolean pinned) {
    this(id, path, manifest, pinned, sequenceOf(id, manifest));
  }

  private static OptionalLong sequenceOf(String id, Optional<ReleaseManifest> manifest) {
    return manifest.filter(m -> m.id().equals(id) && m.sequence() != null)
        .map(m -> OptionalLong.of(m.sequence())).orElse(OptionalLong.empty());
  }
}
