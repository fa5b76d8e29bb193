package dev.rollback.volumes;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Archives of a {@link VolumeSource}: a tar stream (PAX headers for long and non-ASCII names; modes, uid/gid,
 * mtimes at whole seconds, symlinks, hard links and empty directories kept), compressed with gzip or zstd, and an
 * {@link ArchiveManifest} with its sha256 written next to it once the archive is complete.
 *
 * <p>Everything is streamed: the source's entries go through the tar writer and the compressor straight to the
 * file, so memory stays flat whatever the size. An archive is written under a hidden temporary name
 * ({@code .<name>.partial}), synced, given its manifest, and only then renamed to its final name: a file under a
 * valid name is always complete and always has a manifest.
 *
 * <pre>{@code
 * ArchiveManifest m = VolumeArchive.create(DockerVolume.named(docker, "pgdata"),
 *     Path.of("/srv/backups/pgdata.tar.zst"), Compression.zstd());
 * VolumeArchive.restore(Path.of("/srv/backups/pgdata.tar.zst"), DockerVolume.named(docker, "pgdata-copy"));
 * }</pre>
 */
public final class VolumeArchive {
  private static final int COPY_BUFFER = 1 << 16;
  private static final int TAR_BUFFER = 1 << 18;

  private VolumeArchive() {}

  /**
   * Archives a source into a file, with its manifest.
   *
   * @param source what to archive
   * @param archive the file to create; must not exist; its name should end in the compression's extension
   * @param compression gzip or zstd
   * @return the manifest written next to the archive
   * @throws VolumeException when the source cannot be read or the file cannot be written (no space left, ...);
   *     nothing is then left under the archive's name or its manifest's
   */
  public static ArchiveManifest create(VolumeSource source, Path archive, Compression compression) {
    return create(source, archive, compression, Clock.systemUTC());
  }

  static ArchiveManifest create(VolumeSource source, Path archive, Compression compression, Clock clock) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(compression, "compression");
    Path dir = archive.toAbsolutePath().getParent();
    if (Files.exists(archive)) {
      throw new VolumeException("cannot archive " + source.describe() + " to " + archive
          + ": the file already exists; choose another name or remove it");
    }
    Path partial = dir.resolve("." + archive.getFileName() + ".partial");
    ArchiveFileOutput file = null;
    long[] counts = new long[3];
    try {
      file = new ArchiveFileOutput(partial);
      // hashing and writing the file run on their own thread, overlapping with compression
      OutputStream compressor = compression.compress(new WriteBehindOutputStream(file, 1 << 18, 8));
      try (TarArchiveOutputStream tar = TarEntries.writer(new BufferedOutputStream(compressor, TAR_BUFFER))) {
        byte[] buf = new byte[COPY_BUFFER];
        source.exportTo((entry, content) -> {
          tar.putArchiveEntry(entry);
          if (TarEntries.regular(entry)) {
            long left = entry.getSize();
            while (left > 0) {
              int n = content.read(buf, 0, (int) Math.min(buf.length, left));
              if (n < 0) {
                throw new IOException("the source ended " + left + " bytes short inside " + entry.getName());
              }
              tar.write(buf, 0, n);
              left -= n;
            }
            counts[1]++;
            counts[2] += entry.getSize();
          }
          tar.closeArchiveEntry();
          counts[0]++;
        });
        tar.finish();
      }
      ArchiveManifest m = new ArchiveManifest(archive.getFileName().toString(), file.sha256Hex(), file.count(),
          counts[0], counts[1], counts[2], source.describe(), compression.toString(), Instant.now(clock));
      m.writeFor(archive);
      Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
      return m;
    } catch (IOException | RuntimeException e) {
      if (file != null) {
        file.abort();
      }
      deleteQuietly(partial);
      deleteQuietly(ArchiveManifest.pathFor(archive));
      throw failure(source, archive, partial, e);
    }
  }

  private static VolumeException failure(VolumeSource source, Path archive, Path partial, Exception e) {
    String asked = "archiving " + source.describe() + " to " + archive;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String msg = String.valueOf(t.getMessage());
      if (msg.contains("No space left on device") || msg.contains("Disk quota exceeded")) {
        long free = -1;
        try {
          free = Files.getFileStore(archive.toAbsolutePath().getParent()).getUsableSpace();
        } catch (IOException ignored) {
          // the message still says what happened
        }
        return new VolumeException(asked + " failed: no space left on the device holding "
            + archive.toAbsolutePath().getParent() + " (" + free + " bytes usable now); the partial file "
            + partial.getFileName() + " was deleted and nothing was kept under a valid name. Free space there, "
            + "prune old archives, or archive to another directory", e);
      }
    }
    if (e instanceof VolumeException v) {
      return new VolumeException(asked + " failed: " + v.getMessage()
          + "; the partial file was deleted and nothing was kept under a valid name", e);
    }
    return new VolumeException(asked + " failed: " + e
        + "; the partial file was deleted and nothing was kept under a valid name", e);
  }

  /**
   * Checks an archive against its manifest: the file's size and sha256. Reads the whole file.
   *
   * @param archive the archive
   * @return its manifest
   * @throws ArchiveIntegrityException when the manifest is missing or the file does not match it
   */
  public static ArchiveManifest verify(Path archive) {
    ArchiveManifest m = manifestOf(archive);
    MessageDigest sha = ArchiveFileOutput.newSha256();
    long size = 0;
    try (InputStream in = Files.newInputStream(archive)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
        size += n;
      }
    } catch (NoSuchFileException e) {
      throw new ArchiveIntegrityException("archive " + archive + " disappeared while being verified", e);
    } catch (IOException e) {
      throw new ArchiveIntegrityException("cannot read " + archive + " to verify it: " + e.getMessage(), e);
    }
    String actual = HexFormat.of().formatHex(sha.digest());
    if (size != m.archiveBytes() || !actual.equals(m.sha256())) {
      throw new ArchiveIntegrityException("archive " + archive + " does not match its manifest: expected "
          + m.archiveBytes() + " bytes with sha256 " + m.sha256() + ", found " + size + " bytes with sha256 "
          + actual + " (" + (size < m.archiveBytes() ? "truncated" : "corrupted")
          + "); nothing was changed. Use another archive");
    }
    return m;
  }

  /** The manifest of an existing archive that names it; does not read the archive. */
  private static ArchiveManifest manifestOf(Path archive) {
    if (!Files.isRegularFile(archive)) {
      throw new ArchiveIntegrityException("archive " + archive + " does not exist; check the path, or list the "
          + "directory's archives with VolumeBackup.at(dir).list(name)");
    }
    ArchiveManifest m = ArchiveManifest.readFor(archive);
    if (!m.archive().equals(archive.getFileName().toString())) {
      throw new ArchiveIntegrityException("manifest of " + archive + " describes '" + m.archive()
          + "', not this file; refusing to use it");
    }
    return m;
  }

  /**
   * Verifies an archive, then replaces the target's contents with it. Nothing is touched when verification fails.
   *
   * <p>An empty target (a fresh volume, a new directory: see {@link VolumeSource#fillIfEmpty}) has nothing to lose,
   * so the archive is unpacked into it while another thread checks the checksum; should the check fail, the target
   * is emptied again before the exception is thrown. A target that holds something is verified first, then
   * emptied and unpacked.
   *
   * @param archive the archive
   * @param target what to restore into; emptied first
   * @return the archive's manifest
   * @throws ArchiveIntegrityException when the archive does not match its manifest (target untouched, or empty
   *     again if it was empty)
   * @throws VolumeException when the target cannot be written
   */
  public static ArchiveManifest restore(Path archive, VolumeSource target) {
    Objects.requireNonNull(target, "target");
    manifestOf(archive); // a missing archive or manifest fails before any thread or target is touched
    return CheckedRestore.run(archive, target);
  }

  /** Restores an archive {@link #verify verified} moments ago. */
  static void restoreVerified(Path archive, VolumeSource target) {
    unpack(archive, target, tar -> {
      target.replaceWith(tar);
      return true;
    });
  }

  /** Hands the decompressed tar stream of an archive to {@code into}; decompression runs on its own thread. */
  static boolean unpack(Path archive, VolumeSource target, Predicate<InputStream> into) {
    try (InputStream in = new ReadAheadInputStream(
        Compression.forFile(archive).decompress(Files.newInputStream(archive)), 1 << 18, 16)) {
      return into.test(in);
    } catch (IOException e) {
      throw new VolumeException("restoring " + archive + " into " + target.describe() + " failed: " + e, e);
    }
  }

  /**
   * Reads an archive's entries back, e.g. to list or check what it holds. Does not verify the checksum.
   *
   * @param archive the archive
   * @param sink receives each entry and its content
   * @throws VolumeException when the archive cannot be read
   */
  public static void read(Path archive, TarEntrySink sink) {
    try (InputStream in = Compression.forFile(archive).decompress(Files.newInputStream(archive))) {
      TarEntries.forEach(in, sink);
    } catch (IOException e) {
      throw new VolumeException("cannot read archive " + archive + ": " + e, e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: the caller reports the original failure
    }
  }
}
