package dev.rollback.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What was read from a file, kept while the file's size, modification time and inode stay the same, so a fleet
 * that opens a hundred connections parses its known_hosts and its key once rather than a hundred times. A changed
 * file is read again on the next use. At most {@code capacity} values, the least recently used dropped first.
 * Thread-safe.
 *
 * @param <V> the value read
 */
final class StampedCache<V> {
  /** Reads a value from a file. */
  interface Loader<V> {
    V load(Path file) throws IOException;
  }

  private record Stamp(long size, FileTime modified, Object fileKey) {}

  private record Held<V>(Stamp stamp, V value) {}

  private final Map<String, Held<V>> values;

  /**
   * @param capacity how many values to keep
   */
  StampedCache(int capacity) {
    this.values = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Held<V>> eldest) {
        return size() > capacity;
      }
    };
  }

  /**
   * @param file the file
   * @param key what was read from it (the file's path, plus whatever else selects the value)
   * @param loader reads the value when none is held for the file as it is now
   * @return the value
   */
  V get(Path file, String key, Loader<V> loader) throws IOException {
    Stamp now = stamp(file);
    if (now == null) {
      return loader.load(file);
    }
    synchronized (values) {
      Held<V> h = values.get(key);
      if (h != null && h.stamp().equals(now)) {
        return h.value();
      }
    }
    // read after the stamp: a change racing the read is seen as a new stamp next time, never hidden
    V v = loader.load(file);
    synchronized (values) {
      values.put(key, new Held<>(now, v));
    }
    return v;
  }

  private static Stamp stamp(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new Stamp(a.size(), a.lastModifiedTime(), Objects.requireNonNullElse(a.fileKey(), file));
    } catch (IOException e) {
      return null;
    }
  }
}
