package dev.rollback.volumes;

import java.io.BufferedInputStream;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
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
  private static final AtomicInteger CHECKERS = new AtomicInteger();

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
   * Checks an archive before it is restored: the file's size and sha256 against its manifest, and every entry it
   * holds against what may be unpacked (see {@link UnsafeArchiveException}: no absolute or {@code ..} names, nothing
   * beneath a symlink an earlier entry made, no hard link out of the root, no device or FIFO). Reads the whole
   * file, hashing it on this thread while another decompresses it to check the entries.
   *
   * @param archive the archive
   * @return its manifest
   * @throws ArchiveIntegrityException when the manifest is missing or the file does not match it
   * @throws UnsafeArchiveException when an entry must not be unpacked (the message names it and says why)
   */
  public static ArchiveManifest verify(Path archive) {
    ArchiveManifest m = manifestOf(archive);
    FutureTask<Void> entries = new FutureTask<>(() -> {
      checkEntries(archive);
      return null;
    });
    Thread t = new Thread(entries, "rollback-check-entries-" + CHECKERS.incrementAndGet());
    t.setDaemon(true);
    t.start();
    try {
      checksum(archive, m);
    } catch (RuntimeException bad) {
      entries.cancel(true);
      throw bad; // a file that does not match its manifest says so, whatever its entries look like
    }
    try {
      entries.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r
          : new ArchiveIntegrityException("checking the entries of " + archive + " failed: " + e.getCause(), e);
    } catch (InterruptedException e) {
      entries.cancel(true);
      Thread.currentThread().interrupt();
      throw new ArchiveIntegrityException("interrupted while checking the entries of " + archive, e);
    }
    return m;
  }

  /**
   * Checks an archive's size and sha256 against its manifest only (a restore into an empty target checks the
   * entries while unpacking them).
   *
   * @param archive the archive
   * @return its manifest
   * @throws ArchiveIntegrityException when the manifest is missing or the file does not match it
   */
  static ArchiveManifest checksum(Path archive) {
    return checksum(archive, manifestOf(archive));
  }

  private static ArchiveManifest checksum(Path archive, ArchiveManifest m) {
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

  /**
   * Decompresses an archive and runs every entry through {@link TarEntryCheck}; does not look at the checksum.
   *
   * @param archive the archive
   * @throws UnsafeArchiveException when an entry must not be unpacked
   * @throws ArchiveIntegrityException when the archive cannot be read as a compressed tar stream
   */
  static void checkEntries(Path archive) {
    TarEntryCheck check = new TarEntryCheck();
    try (InputStream in = Compression.forFile(archive).decompress(Files.newInputStream(archive))) {
      TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(in, COPY_BUFFER), "UTF-8");
      byte[] buf = new byte[COPY_BUFFER];
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        check.accept(e);
        if (TarEntries.regular(e)) {
          // read through: a size header larger than the data left must fail here, not in the unpacker
          TarEntryCheck.copyContent(tar, e, buf, null);
        }
      }
    } catch (TarEntryCheck.Refused r) {
      throw unsafe(archive, r, "nothing was changed");
    } catch (IOException e) {
      throw new ArchiveIntegrityException("archive " + archive + " cannot be read as a tar stream: " + e.getMessage()
          + "; nothing was changed. Use another archive", e);
    }
  }

  /**
   * The exception for an entry refused while checking or unpacking an archive.
   *
   * @param archive the archive
   * @param r the refusal
   * @param changed what happened to the target, e.g. {@code nothing was changed}
   * @return the exception to throw
   */
  static UnsafeArchiveException unsafe(Path archive, TarEntryCheck.Refused r, String changed) {
    return new UnsafeArchiveException("refusing archive " + archive + ": tar entry '"
        + TarEntryCheck.printable(r.entry()) + "' " + r.reason() + "; " + changed + ". Use another archive",
        r.entry(), r);
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
      TarEntries.forEach(in, sink, false);
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
