package dev.rollback.release;

import java.util.Optional;

/**
 * One release directory.
 *
 * @param id its id
 * @param path its directory, {@code <root>/releases/<id>}
 * @param manifest its {@code release.json}, when it has one that reads
 * @param pinned whether retention must keep it
 */
public record Release(String id, String path, Optional<ReleaseManifest> manifest, boolean pinned) {}
