package dev.rollback.volumes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of volume archives named {@code <volume>-<yyyyMMdd-HHmmss>.tar.gz} (or {@code .tar.zst}), each with
 * its manifest, and retention that keeps the last N and never an archive a pending rollback has pinned.
 *
 * <p>An archive is written under a hidden temporary name and renamed only once it is complete, synced, and its
 * manifest is written (see {@link VolumeArchive#create}), so {@link #list} only ever sees complete archives. The
 * timestamp is UTC; when two backups of one volume fall in the same second, the later one takes the next free
 * second, so names stay unique and sort by age.
 *
 * <pre>{@code
 * VolumeBackup backups = VolumeBackup.at(Path.of("/srv/backups")).withCompression(Compression.zstd());
 * Path archive = backups.backup(DockerVolume.named(docker, "pgdata"));  // pgdata-20240115-113000.tar.zst
 * backups.prune("pgdata", 7);                                          // keep the last 7 and every pinned one
 * }</pre>
 *
 * <p>Immutable; every {@code withX} returns a copy.
 */
public final class VolumeBackup {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  private static final String PIN = ".pinned-";
  private final Path dir;
  private final Compression compression;
  private final Clock clock;

  private VolumeBackup(Path dir, Compression compression, Clock clock) {
    this.dir = dir;
    this.compression = compression;
    this.clock = clock;
  }

  /**
   * A backup directory; created on the first backup if missing.
   *
   * @param dir the directory
   * @return the catalogue, writing gzip level 6 by default
   */
  public static VolumeBackup at(Path dir) {
    return new VolumeBackup(dir.toAbsolutePath().normalize(), Compression.gzip(), Clock.systemUTC());
  }

  /**
   * @param compression how new archives are compressed; default {@link Compression#gzip()}
   * @return a copy using it
   */
  public VolumeBackup withCompression(Compression compression) {
    return new VolumeBackup(dir, Objects.requireNonNull(compression, "compression"), clock);
  }

  /**
   * @param clock the clock archive names are stamped with; default the system clock (UTC)
   * @return a copy using it
   */
  public VolumeBackup withClock(Clock clock) {
    return new VolumeBackup(dir, compression, Objects.requireNonNull(clock, "clock"));
  }

  /** @return the directory */
  public Path dir() {
    return dir;
  }

  /** @return how new archives are compressed */
  public Compression compression() {
    return compression;
  }

  /**
   * Archives a source into this directory.
   *
   * @param source what to back up
   * @return the complete archive (its manifest is next to it)
   * @throws VolumeException when the source cannot be read or the archive cannot be written; nothing is then left
   *     under a valid name
   */
  public Path backup(VolumeSource source) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new VolumeException("cannot create the backup directory " + dir + ": " + e, e);
    }
    LocalDateTime t = LocalDateTime.now(clock.withZone(ZoneOffset.UTC)).withNano(0);
    Path archive;
    while (true) {
      archive = dir.resolve(source.name() + "-" + STAMP.format(t) + compression.extension());
      if (!Files.exists(archive) && !Files.exists(ArchiveManifest.pathFor(archive))) {
        break;
      }
      t = t.plusSeconds(1);
    }
    VolumeArchive.create(source, archive, compression, clock);
    return archive;
  }

  /**
   * The complete archives of one volume (valid name and a manifest), oldest first.
   *
   * @param name the volume's {@link VolumeSource#name() name}
   * @return the archives
   */
  public List<Path> list(String name) {
    Pattern p = Pattern.compile(Pattern.quote(name) + "-(\\d{8}-\\d{6})\\.tar\\.(gz|zst)");
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    try (Stream<Path> s = Files.list(dir)) {
      s.forEach(f -> {
        Matcher m = p.matcher(f.getFileName().toString());
        if (m.matches() && Files.isRegularFile(ArchiveManifest.pathFor(f))) {
          found.add(f);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    found.sort(Comparator.comparing(f -> f.getFileName().toString()));
    return found;
  }

  /**
   * The newest complete archive of a volume.
   *
   * @param name the volume's name
   * @return the archive
   * @throws VolumeException when there is none, saying what the directory holds
   */
  public Path latest(String name) {
    List<Path> all = list(name);
    if (all.isEmpty()) {
      throw new VolumeException("no complete archive of '" + name + "' in " + dir + " (expected " + name
          + "-yyyyMMdd-HHmmss.tar.gz or .tar.zst with a manifest); back it up first with backup(source)");
    }
    return all.get(all.size() - 1);
  }

  /**
   * Pins an archive so that {@link #prune} keeps it, e.g. while a rollback may still need it.
   *
   * @param archive an archive in this directory
   * @param owner who needs it, e.g. a run id (letters, digits, {@code ._-})
   * @param reason one line, stored in the pin
   */
  public void pin(Path archive, String owner, String reason) {
    try {
      Files.writeString(pinFile(archive, owner), reason + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new VolumeException("cannot pin " + archive + " in " + dir + ": " + e, e);
    }
  }

  /**
   * Removes one owner's pin from an archive.
   *
   * @param archive the archive
   * @param owner the owner that pinned it
   */
  public void unpin(Path archive, String owner) {
    try {
      Files.deleteIfExists(pinFile(archive, owner));
    } catch (IOException e) {
      throw new VolumeException("cannot unpin " + archive + " in " + dir + ": " + e, e);
    }
  }

  /**
   * @param archive an archive in this directory
   * @return true when any owner has pinned it
   */
  public boolean pinned(Path archive) {
    String prefix = archive.getFileName() + PIN;
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(f -> f.getFileName().toString().startsWith(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /**
   * Deletes the oldest archives of a volume (and their manifests), keeping the newest {@code keepLast} and every
   * pinned one.
   *
   * @param name the volume's name
   * @param keepLast how many of the newest to keep, at least 1
   * @return the archives deleted
   */
  public List<Path> prune(String name, int keepLast) {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keepLast must be >= 1 (never delete every archive), was " + keepLast);
    }
    List<Path> all = list(name);
    List<Path> removed = new ArrayList<>();
    for (Path a : all.subList(0, Math.max(0, all.size() - keepLast))) {
      if (pinned(a)) {
        continue;
      }
      try {
        Files.delete(a);
        Files.deleteIfExists(ArchiveManifest.pathFor(a));
        removed.add(a);
      } catch (IOException e) {
        throw new VolumeException("cannot delete " + a + " while pruning: " + e + "; deleted so far: " + removed, e);
      }
    }
    return removed;
  }

  private Path pinFile(Path archive, String owner) {
    if (owner == null || !owner.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException("pin owner must be letters, digits, '.', '_' or '-', was '" + owner + "'");
    }
    return dir.resolve(archive.getFileName() + PIN + owner);
  }
}
