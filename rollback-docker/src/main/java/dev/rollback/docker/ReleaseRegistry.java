package dev.rollback.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.RollbackException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A small JSON file recording, for each release of one image repository, the image id its tag named when it was
 * deployed, when, and in which order:
 * {@code {"repository":"app","releases":{"2":{"imageId":"sha256:...","recordedAt":"...","sequence":2}}}}. A tag
 * moved or pruned later is then noticed instead of silently used, and the sequence is the deploy record that
 * orders releases ({@link dev.rollback.release.ReleaseOrder}).
 *
 * <p>The file is {@code <dir>/<repository with '/' and ':' as '_'>.json}, written atomically (temp file + rename).
 * Methods are synchronized; separate processes writing the same file at once are not coordinated (deploys of one
 * app are serial in practice).
 */
public final class ReleaseRegistry {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private final String repository;

  /**
   * One recorded release.
   *
   * @param imageId the id deployed
   * @param recordedAt when
   * @param sequence 1 + the highest sequence recorded before it; null for an entry written before sequences were
   */
  public record Entry(String imageId, Instant recordedAt, Long sequence) {
    /**
     * An entry without a sequence.
     *
     * @param imageId the id deployed
     * @param recordedAt when
     */
    public Entry(String imageId, Instant recordedAt) {
      this(imageId, recordedAt, null);
    }
  }

  private ReleaseRegistry(Path file, String repository) {
    this.file = file;
    this.repository = repository;
  }

  /**
   * The registry of one repository in a directory (created on the first write).
   *
   * @param dir the directory
   * @param repository the image repository, e.g. {@code app} or {@code registry.example/team/app}
   * @return the registry
   */
  public static ReleaseRegistry in(Path dir, String repository) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(repository, "repository");
    return new ReleaseRegistry(dir.resolve(repository.replace('/', '_').replace(':', '_') + ".json"), repository);
  }

  /** @return the file */
  public Path file() {
    return file;
  }

  /**
   * Records the image id behind a release, deployed now: its sequence is one more than the highest recorded, so
   * recording an id again (a redeploy) makes it the newest.
   *
   * @param id the release id
   * @param imageId the image id its tag names now
   * @throws RollbackException when the file cannot be written
   */
  public synchronized void record(String id, String imageId) {
    Map<String, Entry> all = new LinkedHashMap<>(read());
    long next = 1 + all.values().stream().mapToLong(e -> e.sequence() == null ? 0 : e.sequence()).max().orElse(0);
    all.remove(id);
    all.put(id, new Entry(imageId, Instant.now(), next));
    write(all);
  }

  /**
   * Forgets a release (after its image was deliberately removed).
   *
   * @param id the release id
   */
  public synchronized void forget(String id) {
    Map<String, Entry> all = new LinkedHashMap<>(read());
    if (all.remove(id) != null) {
      write(all);
    }
  }

  /**
   * Reads every recorded release.
   *
   * @return release id to entry, in file order; empty when there is no file yet
   * @throws RollbackException when the file exists but is not a registry
   */
  public synchronized Map<String, Entry> read() {
    if (!Files.exists(file)) {
      return Map.of();
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      Map<String, Entry> out = new LinkedHashMap<>();
      JsonNode rel = root.path("releases");
      for (Iterator<Map.Entry<String, JsonNode>> it = rel.fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        String at = e.getValue().path("recordedAt").asText(null);
        JsonNode seq = e.getValue().path("sequence");
        if (!seq.isMissingNode() && !seq.isNull() && (!seq.isIntegralNumber() || seq.asLong() < 1)) {
          throw new IllegalArgumentException("release " + e.getKey() + " has sequence " + seq
              + ", not a whole number from 1");
        }
        out.put(e.getKey(), new Entry(e.getValue().path("imageId").asText(), at == null ? null : Instant.parse(at),
            seq.isIntegralNumber() ? Long.valueOf(seq.asLong()) : null));
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new RollbackException("cannot read the release registry " + file + ": " + e.getMessage()
          + "; fix or delete it (it is rewritten on the next deploy record)", e);
    }
  }

  private void write(Map<String, Entry> all) {
    ObjectNode root = JSON.createObjectNode();
    root.put("repository", repository);
    ObjectNode rel = root.putObject("releases");
    all.forEach((id, e) -> {
      ObjectNode n = rel.putObject(id);
      n.put("imageId", e.imageId());
      n.put("recordedAt", e.recordedAt() == null ? null : e.recordedAt().toString());
      if (e.sequence() != null) {
        n.put("sequence", e.sequence());
      }
    });
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new RollbackException("cannot write the release registry " + file + ": " + e.getMessage(), e);
    }
  }
}
