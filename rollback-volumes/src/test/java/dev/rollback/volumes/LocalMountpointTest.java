package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalMountpointTest {
  @TempDir
  Path dir;

  @Test
  void theEnginesStatMustMatchPermissionsAndMtimeToTheNanosecond() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
    Files.setLastModifiedTime(dir, FileTime.from(Instant.parse("2026-11-21T08:00:00.123456789Z")));
    long dirMode = (1L << 31) | 0750;

    assertThat(LocalMountpoint.sameAsTheEngines("{\"name\":\"data\",\"size\":4096,\"mode\":" + dirMode
        + ",\"mtime\":\"2026-11-21T08:00:00.123456789Z\",\"linkTarget\":\"\"}", dir)).isTrue();
    assertThat(LocalMountpoint.sameAsTheEngines("{\"mode\":" + dirMode
        + ",\"mtime\":\"2026-11-21T09:00:00.123456789+01:00\"}", dir)).isTrue();
    // another directory: one nanosecond apart, or other permissions, or no stat at all
    assertThat(LocalMountpoint.sameAsTheEngines("{\"mode\":" + dirMode
        + ",\"mtime\":\"2026-11-21T08:00:00.123456788Z\"}", dir)).isFalse();
    assertThat(LocalMountpoint.sameAsTheEngines("{\"mode\":" + ((1L << 31) | 0755)
        + ",\"mtime\":\"2026-11-21T08:00:00.123456789Z\"}", dir)).isFalse();
    assertThat(LocalMountpoint.sameAsTheEngines("{}", dir)).isFalse();
  }
}
