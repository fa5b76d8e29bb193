package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.testing.TestEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backup into a 20 MiB tmpfs that cannot hold it: a clear error, and nothing under a valid name. */
class OutOfSpaceIT {
  @TempDir Path parent;
  private Path small;
  private VolumeFixture fx;

  @BeforeEach
  void mountSmallTmpfs() throws Exception {
    fx = VolumeFixture.start();
    if (!"root".equals(System.getProperty("user.name"))) {
      TestEnvironment.unavailable("mounting a tmpfs needs root; this JVM runs as " + System.getProperty("user.name"));
    }
    small = Files.createDirectory(parent.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", small.toString());
  }

  @AfterEach
  void unmount() throws Exception {
    try {
      if (small != null) {
        run("umount", small.toString());
      }
    } finally {
      fx.close();
    }
  }

  @Test
  void backupThatRunsOutOfSpaceFailsClearlyAndLeavesNoArchiveUnderAValidName() throws Exception {
    String volume = fx.volume("full");
    fx.sh(volume, "head -c 62914560 /dev/urandom > /data/random.bin && echo small > /data/small.txt");
    VolumeBackup backups = VolumeBackup.at(small);

    assertThatThrownBy(() -> backups.backup(fx.dockerVolume(volume)))
        .isInstanceOf(VolumeException.class)
        .hasMessageContaining("no space left on the device holding " + small)
        .hasMessageContaining("nothing was kept under a valid name")
        .hasMessageContaining("docker volume " + volume);

    assertThat(backups.list(volume)).isEmpty();
    try (Stream<Path> s = Files.list(small)) {
      assertThat(s.toList()).as("no partial archive or manifest left behind").isEmpty();
    }
    assertThat(Files.getFileStore(small).getUsableSpace()).isGreaterThan(19L * 1024 * 1024);
  }

  private static void run(String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(argv)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
    }
  }
}
