package dev.rollback.docker;

import dev.rollback.Checkpoint;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Compose project's configuration before a recreate rollback: each file's content (null when absent) and each
 * service's image id. Its description gives file sizes, never content: {@code .env} holds secrets.
 *
 * @param project the project name
 * @param files file name to content, null when the file did not exist
 * @param images service to short image id
 * @param healthy whether every container was running and healthy (or had no health check)
 */
public record RecreateCheckpoint(String project, Map<String, String> files, Map<String, String> images,
    boolean healthy) implements Checkpoint {

  /** Copies the maps (files may hold null values). */
  public RecreateCheckpoint {
    files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
    images = Map.copyOf(images);
  }

  @Override
  public String describe() {
    return "compose project " + project + ": " + files.entrySet().stream()
        .map(e -> e.getKey() + (e.getValue() == null ? " (absent)" : " (" + e.getValue().length() + " bytes)"))
        .collect(Collectors.joining(", ")) + "; images " + images + (healthy ? ", healthy" : ", not all healthy");
  }

  /** Same as {@link #describe()}: never the files' content. */
  @Override
  public String toString() {
    return describe();
  }
}
