package dev.rollback.volumes;

import java.io.InputStream;

/**
 * Something whose contents can be exported as tar entries and replaced from a tar stream: a Docker named volume
 * ({@link DockerVolume}) or a directory on this or another host ({@link HostDirectory}).
 *
 * <p>{@link VolumeArchive} turns an export into a compressed, checksummed archive and puts one back; a source
 * only moves entries. Implementations are immutable and thread-safe.
 */
public interface VolumeSource {

  /**
   * The name archives of this source are filed under: {@code <name>-<yyyyMMdd-HHmmss>.tar.gz}.
   *
   * @return a name made of letters, digits, {@code .}, {@code _} and {@code -}
   */
  String name();

  /** @return one line for previews, reports and manifests: {@code docker volume pgdata} */
  String describe();

  /**
   * Checks that the source exists now.
   *
   * @return true when it can be exported from or restored into
   */
  boolean exists();

  /**
   * Streams every entry under the root to {@code sink}, in tar order (a directory before its contents).
   *
   * @param sink receives the entries
   * @throws VolumeException when the source cannot be read, or the sink failed (its exception is the cause)
   */
  void exportTo(TarEntrySink sink);

  /**
   * Empties the source and unpacks an uncompressed tar stream into it, keeping modes, owners, mtimes and
   * symlinks. Callers verify the stream's archive first: this deletes the current contents. The built-in sources
   * check every entry as they unpack or send it and fail at the first one refused (see
   * {@link UnsafeArchiveException}); what came before it stays.
   *
   * @param tar an uncompressed tar stream with names relative to the root; read to its end, not closed
   * @throws VolumeException when the source cannot be cleared or written
   */
  void replaceWith(InputStream tar);

  /**
   * Unpacks an uncompressed tar stream into the source if, and only if, it holds nothing now. A restore into an
   * empty source can start before the archive's checksum is known, since there is nothing to lose:
   * {@link VolumeArchive#restore} checks the archive on another thread meanwhile and, should the check fail, empties
   * the source again with {@link #replaceWith}.
   *
   * <p>The default returns {@code false} without reading, and restores then verify first and call
   * {@link #replaceWith}; {@link DockerVolume} (with direct access) and a local {@link HostDirectory} unpack.
   *
   * @param tar an uncompressed tar stream with names relative to the root; read to its end when unpacked, not
   *     closed; when {@code false} is returned it may have been partly read
   * @return true when the stream was unpacked into the empty source; false when the source holds something or
   *     cannot tell cheaply, and nothing was written
   * @throws VolumeException when the source cannot be read or written; it may then hold part of the stream
   */
  default boolean fillIfEmpty(InputStream tar) {
    return false;
  }
}
