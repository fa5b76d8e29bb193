package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** A JVM limited to 64 MiB of heap backs up and restores a 1 GiB volume: the streams never buffer it. */
class LowMemoryIT {
  private static VolumeFixture fx;
  private static String source;
  private static List<String> expected;

  @BeforeAll
  static void oneGibVolume() {
    fx = VolumeFixture.start();
    source = fx.volume("gib");
    // 4 files of 128 MiB random and 4 of 128 MiB text: 1 GiB, half of it hard to compress
    fx.sh(source, "set -e; cd /data; for i in 1 2 3 4; do head -c 134217728 /dev/urandom > random-$i.bin; done; "
        + TreeScripts.textFile("text-1.txt", 134217728L) + "; for i in 2 3 4; do cp text-1.txt text-$i.txt; "
        + "echo $i >> text-$i.txt; done");
    expected = fx.listing(source);
  }

  @AfterAll
  static void cleanUp() {
    if (fx != null) {
      fx.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"engine-then-direct", "direct-then-engine"})
  void backsUpAndRestoresOneGibInSixtyFourMibOfHeap(String paths, @TempDir Path dir) throws Exception {
    String target = fx.volume("gib-copy");
    String line;
    try (ChildJvm child = ChildJvm.start(List.of("-Xmx64m"), LowMemoryMain.class, fx.docker.host().toString(),
        fx.busybox, source, target, dir.toString(), "gzip", paths)) {
      line = child.awaitLine("DONE", Duration.ofMinutes(4));
      assertThat(child.waitFor(Duration.ofSeconds(30))).isZero();
    }

    String[] done = line.split(" ");
    assertThat(Long.parseLong(done[3])).as("max heap").isLessThanOrEqualTo(64L * 1024 * 1024);
    assertThat(Long.parseLong(done[2])).as("peak heap used").isLessThan(64L * 1024 * 1024);
    System.out.println("LowMemoryIT: archive " + done[1] + " bytes, peak heap used " + done[2] + " bytes");
    assertThat(expected).hasSize(8).allMatch(l -> l.contains("|0|0|1342177"));
    assertThat(fx.listing(target)).containsExactlyElementsOf(expected);
  }
}
