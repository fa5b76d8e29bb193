package dev.rollback.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StampedCacheTest {
  @TempDir
  Path tmp;

  @Test
  void readsAFileOnceUntilItChangesEvenAtTheSameSize() throws Exception {
    Path f = tmp.resolve("known_hosts");
    Files.writeString(f, "aaaa");
    Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
    StampedCache<String> cache = new StampedCache<>(4);
    AtomicInteger reads = new AtomicInteger();
    StampedCache.Loader<String> loader = p -> {
      reads.incrementAndGet();
      return Files.readString(p);
    };

    assertThat(cache.get(f, "k", loader)).isEqualTo("aaaa");
    assertThat(cache.get(f, "k", loader)).isEqualTo("aaaa");
    assertThat(reads).hasValue(1);

    Files.writeString(f, "bbbb"); // same size, new mtime
    assertThat(cache.get(f, "k", loader)).isEqualTo("bbbb");
    assertThat(reads).hasValue(2);

    Path moved = tmp.resolve("new");
    Files.writeString(moved, "cccc");
    Files.setLastModifiedTime(moved, Files.getLastModifiedTime(f));
    Files.move(moved, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // same size and mtime, new inode
    assertThat(cache.get(f, "k", loader)).isEqualTo("cccc");
  }

  @Test
  void keepsAtMostItsCapacityAndDoesNotCacheAMissingFile() throws Exception {
    StampedCache<String> cache = new StampedCache<>(2);
    AtomicInteger reads = new AtomicInteger();
    StampedCache.Loader<String> loader = p -> {
      reads.incrementAndGet();
      return Files.exists(p) ? Files.readString(p) : "none";
    };
    for (String n : new String[] {"a", "b", "c"}) {
      Files.writeString(tmp.resolve(n), n);
      cache.get(tmp.resolve(n), n, loader);
    }
    cache.get(tmp.resolve("a"), "a", loader); // dropped as the least recently used
    assertThat(reads).hasValue(4);
    cache.get(tmp.resolve("absent"), "x", loader);
    cache.get(tmp.resolve("absent"), "x", loader);
    assertThat(reads).hasValue(6);
  }
}
