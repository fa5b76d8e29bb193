package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups of real docker volumes restored into fresh ones give identical trees. */
class DockerVolumeRoundTripIT {
  private static VolumeFixture fx;
  private static String source;
  private static List<String> expected;

  @BeforeAll
  static void buildTree() {
    fx = VolumeFixture.start();
    source = fx.volume("tree");
    fx.sh(source, TreeScripts.tricky(200));
    expected = fx.listing(source);
  }

  @AfterAll
  static void cleanUp() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void gzipBackupRestoredIntoAFreshVolumeGivesAnIdenticalTree(@TempDir Path dir) {
    Path archive = VolumeBackup.at(dir).backup(fx.dockerVolume(source));

    assertThat(archive.getFileName().toString()).matches(source + "-\\d{8}-\\d{6}\\.tar\\.gz");
    String fresh = fx.volume("gz-copy");
    VolumeArchive.restore(archive, fx.dockerVolume(fresh));

    assertThat(fx.listing(fresh)).containsExactlyElementsOf(expected);
    assertThat(expected).anyMatch(l -> l.startsWith("./big.bin|-rw-r--r--|0|0|209715200|"))
        .anyMatch(l -> l.startsWith("./dir/setuid|-rwsr-xr-x|"))
        .anyMatch(l -> l.startsWith("./sticky|drwxrwxrwt|7|7"))
        .anyMatch(l -> l.startsWith("./dangling-link|lrwxrwxrwx|33|33|-> missing"))
        .anyMatch(l -> l.startsWith("./dir/plain.txt|-rw-r-----|1001|1002|6|981173106|2|"))
        .anyMatch(l -> l.startsWith("./ünïcödé-目录/файл.txt|"))
        .anyMatch(l -> l.startsWith("./empty/nested-empty|drwx------|"))
        .anyMatch(l -> l.length() > 200 && l.contains("/" + "f".repeat(80) + ".txt|"));
  }

  @Test
  void throughTheEnginesArchiveApiTheTreeIsTheSameAndArchivesCrossBothWays(@TempDir Path dir) {
    // the volume's directory is on this host, so the default reads it directly; the Engine's way is checked here
    assertThat(fx.dockerVolume(source).localDirectory()).isPresent();
    assertThat(fx.dockerVolume(source).withDirectAccess(false).localDirectory()).isEmpty();

    Path viaEngine = VolumeBackup.at(dir.resolve("engine")).withCompression(Compression.zstd())
        .backup(fx.dockerVolume(source).withDirectAccess(false));
    String a = fx.volume("engine-to-direct");
    VolumeArchive.restore(viaEngine, fx.dockerVolume(a));
    assertThat(fx.listing(a)).containsExactlyElementsOf(expected);

    Path direct = VolumeBackup.at(dir.resolve("direct")).withCompression(Compression.zstd())
        .backup(fx.dockerVolume(source));
    String b = fx.volume("direct-to-engine");
    fx.sh(b, "echo old > /data/stale");
    VolumeArchive.restore(direct, fx.dockerVolume(b).withDirectAccess(false));
    assertThat(fx.listing(b)).containsExactlyElementsOf(expected);
  }

  @Test
  void aVolumeProvedOnceIsReadDirectlyWithoutAnotherHelperContainer(@TempDir Path dir) {
    String proved = fx.volume("proved");
    String unproved = fx.volume("unproved");
    fx.sh(proved, "echo x > /data/f");
    fx.sh(unproved, "echo x > /data/f");
    assertThat(fx.dockerVolume(proved).localDirectory()).isPresent();
    String missing = "rollback-test/no-such-image:latest";

    // a helper would need the missing image: the proved volume needs none, the other one does
    Path archive = VolumeBackup.at(dir).backup(DockerVolume.named(fx.docker, proved).withHelperImage(missing));
    assertThat(archive).exists();
    assertThatThrownBy(() -> VolumeBackup.at(dir).backup(DockerVolume.named(fx.docker, unproved)
        .withHelperImage(missing))).isInstanceOf(VolumeException.class).hasMessageContaining(missing);
  }

  @Test
  void zstdBackupReplacesEverythingInANonEmptyVolume(@TempDir Path dir) {
    Path archive = VolumeBackup.at(dir).withCompression(Compression.zstd()).backup(fx.dockerVolume(source));
    String target = fx.volume("zst-copy");
    fx.sh(target, "mkdir -p /data/stale/dir && echo old > /data/stale/dir/f && echo old > /data/.hidden "
        + "&& echo old > /data/big.bin");

    VolumeArchive.restore(archive, fx.dockerVolume(target));

    assertThat(archive.getFileName().toString()).endsWith(".tar.zst");
    assertThat(fx.listing(target)).containsExactlyElementsOf(expected);
  }

  @Test
  void aCorruptedArchiveUnpackedIntoAFreshVolumeIsRefusedAndTheVolumeEmptiedAgain(@TempDir Path dir)
      throws Exception {
    String small = fx.volume("small");
    fx.sh(small, "mkdir -p /data/d && seq 1 200000 > /data/d/numbers && echo x > /data/x");
    Path archive = VolumeBackup.at(dir).withCompression(Compression.zstd()).backup(fx.dockerVolume(small));
    LocalTrees.flipMiddleByte(archive);
    String fresh = fx.volume("fresh-for-corrupt");

    assertThatThrownBy(() -> VolumeArchive.restore(archive, fx.dockerVolume(fresh)))
        .isInstanceOf(ArchiveIntegrityException.class).hasMessageContaining("(corrupted)")
        .hasMessageContaining("docker volume " + fresh + " was empty before and was emptied again");
    assertThat(fx.listing(fresh)).isEmpty();
  }

  @Test
  void archiveHoldsPaxHeadersAndAManifestThatMatchesIt(@TempDir Path dir) throws Exception {
    Path archive = VolumeBackup.at(dir).withCompression(Compression.gzip(1)).backup(fx.dockerVolume(source));
    ArchiveManifest m = VolumeArchive.verify(archive);
    List<TarArchiveEntry> entries = new ArrayList<>();
    VolumeArchive.read(archive, (e, in) -> entries.add(e));

    assertThat(m.archiveBytes()).isEqualTo(Files.size(archive));
    assertThat(m.entries()).isEqualTo(entries.size());
    assertThat(m.files()).isEqualTo(entries.stream().filter(TarEntries::regular).count());
    assertThat(m.bytes()).isGreaterThan(200L * 1024 * 1024);
    assertThat(m.source()).isEqualTo("docker volume " + source);
    assertThat(entries).extracting(TarArchiveEntry::getName)
        .contains("empty/", "empty/nested-empty/", "dir/hard-link", "ünïcödé-目录/файл.txt")
        .noneMatch(n -> n.startsWith("./") || n.startsWith("/") || n.startsWith("data/"));
    assertThat(entries).filteredOn(e -> e.getName().equals("dir/hard-link") || e.getName().equals("dir/plain.txt"))
        .extracting(TarArchiveEntry::isLink).containsExactlyInAnyOrder(true, false);
    assertThat(Files.readString(ArchiveManifest.pathFor(archive))).contains(m.sha256());
  }
}
