package dev.rollback.volumes;

import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * Receives the entries a {@link VolumeSource} exports, one at a time, in archive order.
 *
 * <p>Entry names are relative to the source's root, with {@code /} separators and no leading {@code ./}; a
 * directory's name ends with {@code /}. The root itself is not an entry.
 */
@FunctionalInterface
public interface TarEntrySink {

  /**
   * Takes one entry.
   *
   * @param entry the header: name, type, mode, uid/gid, mtime, size, link target
   * @param content the entry's bytes (exactly {@code entry.getSize()} of them; empty for anything but a regular
   *     file); valid only during this call
   * @throws IOException when the entry cannot be written
   */
  void accept(TarArchiveEntry entry, InputStream content) throws IOException;
}
