package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeBackupTest {
  @TempDir Path tmp;
  private HostDirectory data;

  @BeforeEach
  void someData() throws Exception {
    Path d = Files.createDirectory(tmp.resolve("pgdata"));
    Files.writeString(d.resolve("PG_VERSION"), "15\n");
    data = HostDirectory.local(d);
  }

  @Test
  void namesArchivesAfterTheVolumeAndTheUtcSecondAndBumpsASecondTakenTwice() {
    VolumeBackup b = VolumeBackup.at(tmp.resolve("b")).withClock(at("2024-01-15T11:30:00Z"));

    Path first = b.backup(data);
    Path second = b.backup(data);

    assertThat(first.getFileName()).hasToString("pgdata-20240115-113000.tar.gz");
    assertThat(second.getFileName()).hasToString("pgdata-20240115-113001.tar.gz");
    assertThat(ArchiveManifest.pathFor(first)).exists();
    assertThat(b.list("pgdata")).containsExactly(first, second);
    assertThat(b.latest("pgdata")).isEqualTo(second);
  }

  @Test
  void listSeesOnlyCompleteArchivesOfThatVolume() throws Exception {
    VolumeBackup b = VolumeBackup.at(tmp.resolve("b")).withClock(at("2024-01-15T11:30:00Z"));
    Path good = b.backup(data);
    Files.writeString(b.dir().resolve(".pgdata-20240116-000000.tar.gz.partial"), "half");
    Files.writeString(b.dir().resolve("pgdata-20240117-000000.tar.gz"), "no manifest");
    Files.writeString(b.dir().resolve("pgdata-extra-20240118-000000.tar.gz"), "another volume");

    assertThat(b.list("pgdata")).containsExactly(good);
    assertThat(b.list("pgdata-extra")).isEmpty();
  }

  @Test
  void pruneKeepsTheLastNAndEveryPinnedArchive() {
    VolumeBackup b = VolumeBackup.at(tmp.resolve("b")).withClock(at("2024-01-15T11:30:00Z"));
    List<Path> made = List.of(b.backup(data), b.backup(data), b.backup(data), b.backup(data), b.backup(data));
    b.pin(made.get(1), "run-42", "safety backup of a pending rollback");

    List<Path> removed = b.prune("pgdata", 2);

    assertThat(removed).containsExactly(made.get(0), made.get(2));
    assertThat(b.list("pgdata")).containsExactly(made.get(1), made.get(3), made.get(4));
    assertThat(ArchiveManifest.pathFor(made.get(0))).doesNotExist();
    b.unpin(made.get(1), "run-42");
    assertThat(b.prune("pgdata", 2)).containsExactly(made.get(1));
  }

  @Test
  void pruneNeverDeletesEveryArchive() {
    assertThatThrownBy(() -> VolumeBackup.at(tmp).prune("pgdata", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never delete every archive");
  }

  @Test
  void latestWithoutArchivesSaysWhatWasExpectedWhere() {
    assertThatThrownBy(() -> VolumeBackup.at(tmp).latest("pgdata"))
        .isInstanceOf(VolumeException.class)
        .hasMessageContaining("no complete archive of 'pgdata' in " + tmp)
        .hasMessageContaining("pgdata-yyyyMMdd-HHmmss.tar.gz");
  }

  @Test
  void compressionIsReadFromTheFileNameAndLevelsAreChecked() {
    assertThat(Compression.forFile(Path.of("a.tar.gz")).format()).isEqualTo(Compression.Format.GZIP);
    assertThat(Compression.forFile(Path.of("a.tar.zst")).format()).isEqualTo(Compression.Format.ZSTD);
    assertThatThrownBy(() -> Compression.forFile(Path.of("a.zip"))).hasMessageContaining(".tar.gz or .tar.zst");
    assertThatThrownBy(() -> Compression.gzip(0)).hasMessageContaining("1..9");
    assertThatThrownBy(() -> Compression.zstd(20)).hasMessageContaining("1..19");
  }

  private static Clock at(String instant) {
    return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
  }
}
