package dev.rollback.volumes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * What an archive holds, written next to it as {@code <archive>.manifest.json} only after the archive is complete:
 * the sha256 and size of the archive file, how many entries, regular files and content bytes it holds, what it was
 * made from, and when.
 *
 * @param archive the archive's file name (no directory)
 * @param sha256 lower-case hex sha256 of the archive file's bytes
 * @param archiveBytes the archive file's size
 * @param entries tar entries (files, directories, links)
 * @param files regular files
 * @param bytes bytes of file content before compression
 * @param source the source's description, e.g. {@code docker volume pgdata}
 * @param compression e.g. {@code gzip level 6, 2 threads}
 * @param created when the archive was completed
 */
public record ArchiveManifest(String archive, String sha256, long archiveBytes, long entries, long files,
    long bytes, String source, String compression, Instant created) {
  /** The manifest's suffix after the archive's file name. */
  public static final String SUFFIX = ".manifest.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Checks the fields. */
  public ArchiveManifest {
    Objects.requireNonNull(archive, "archive");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(created, "created");
  }

  /**
   * @param archive an archive file
   * @return where its manifest lives: {@code <archive>.manifest.json}
   */
  public static Path pathFor(Path archive) {
    return archive.resolveSibling(archive.getFileName() + SUFFIX);
  }

  /**
   * Reads an archive's manifest.
   *
   * @param archive the archive (not the manifest)
   * @return the manifest
   * @throws ArchiveIntegrityException when it is missing or unreadable
   */
  public static ArchiveManifest readFor(Path archive) {
    Path p = pathFor(archive);
    try {
      JsonNode n = JSON.readTree(Files.readAllBytes(p));
      return new ArchiveManifest(n.path("archive").asText(), n.path("sha256").asText(),
          n.path("archiveBytes").asLong(-1), n.path("entries").asLong(), n.path("files").asLong(),
          n.path("bytes").asLong(), n.path("source").asText(), n.path("compression").asText(),
          Instant.parse(n.path("created").asText()));
    } catch (NoSuchFileException e) {
      throw new ArchiveIntegrityException("archive " + archive + " has no manifest (" + p.getFileName()
          + "): it may be incomplete or was not written by rollback-volumes; refusing to use it unverified");
    } catch (IOException | RuntimeException e) {
      throw new ArchiveIntegrityException("cannot read the manifest " + p + ": " + e.getMessage()
          + "; refusing to use " + archive.getFileName() + " unverified", e);
    }
  }

  /**
   * Writes this manifest next to the archive, through a temporary file and an atomic rename.
   *
   * @param archive the archive it describes
   * @return the manifest's path
   * @throws IOException when it cannot be written
   */
  Path writeFor(Path archive) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("archive", this.archive).put("sha256", sha256).put("archiveBytes", archiveBytes).put("entries", entries)
        .put("files", files).put("bytes", bytes).put("source", source).put("compression", compression)
        .put("created", created.toString());
    Path target = pathFor(archive);
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
    Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return target;
  }
}
