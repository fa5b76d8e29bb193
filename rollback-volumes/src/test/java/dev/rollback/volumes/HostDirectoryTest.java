package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.exec.LocalExecutor;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostDirectoryTest {
  @TempDir Path tmp;

  @Test
  void localBackupRestoredIntoAnotherDirectoryGivesAnIdenticalTree() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    LocalTrees.tricky(src);
    Path dst = Files.createDirectory(tmp.resolve("dst"));
    Files.writeString(dst.resolve("stale.txt"), "old");

    Path archive = VolumeBackup.at(tmp.resolve("backups")).backup(HostDirectory.local(src));
    VolumeArchive.restore(archive, HostDirectory.local(dst));

    assertThat(LocalTrees.listing(dst)).containsExactlyElementsOf(LocalTrees.listing(src));
    assertThat(LocalTrees.listing(src)).anyMatch(l -> l.startsWith("dir/setuid|104755|"))
        .anyMatch(l -> l.startsWith("empty/nested-empty|40700|"))
        .anyMatch(l -> l.startsWith("dir/plain.txt|100640|") && l.contains("|981173106|2|"));
  }

  @Test
  void zstdArchiveOfADirectoryRoundTrips() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    LocalTrees.tricky(src);
    Path dst = Files.createDirectory(tmp.resolve("dst"));

    Path archive = VolumeBackup.at(tmp.resolve("b")).withCompression(Compression.zstd(5))
        .backup(HostDirectory.local(src));
    VolumeArchive.restore(archive, HostDirectory.local(dst));

    assertThat(archive.getFileName().toString()).matches("src-\\d{8}-\\d{6}\\.tar\\.zst");
    assertThat(ArchiveManifest.readFor(archive).compression()).startsWith("zstd level 5");
    assertThat(LocalTrees.listing(dst)).containsExactlyElementsOf(LocalTrees.listing(src));
  }

  @Test
  void remoteDirectoryStreamsThroughTheExecutorsTar() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    LocalTrees.tricky(src);
    Path dst = Files.createDirectory(tmp.resolve("dst"));
    Files.createDirectories(dst.resolve("stale/dir"));

    Path archive = VolumeBackup.at(tmp.resolve("b"))
        .backup(HostDirectory.remote(LocalExecutor.create(), src.toString()));
    VolumeArchive.restore(archive, HostDirectory.remote(LocalExecutor.create(), dst.toString()));

    assertThat(LocalTrees.listing(dst)).containsExactlyElementsOf(LocalTrees.listing(src));
    assertThat(ArchiveManifest.readFor(archive).source()).isEqualTo("directory " + src + " on local");
  }

  @Test
  void corruptedArchiveIsRefusedAndTheDirectoryIsUntouched() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    LocalTrees.tricky(src);
    Path archive = VolumeBackup.at(tmp.resolve("b")).backup(HostDirectory.local(src));
    Path dst = Files.createDirectory(tmp.resolve("dst"));
    Files.writeString(dst.resolve("keep.txt"), "precious");
    List<String> before = LocalTrees.listing(dst);
    try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
      f.seek(100);
      f.write(f.read() ^ 1);
    }

    assertThatThrownBy(() -> VolumeArchive.restore(archive, HostDirectory.local(dst)))
        .isInstanceOf(ArchiveIntegrityException.class)
        .hasMessageContaining("does not match its manifest").hasMessageContaining("nothing was changed");
    assertThat(LocalTrees.listing(dst)).isEqualTo(before);
  }

  @Test
  void corruptedOrTruncatedArchiveUnpackedIntoAnEmptyDirectoryIsRefusedAndTheDirectoryEmptiedAgain()
      throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    LocalTrees.tricky(src);
    for (String damage : List.of("corrupted", "truncated")) {
      Path archive = VolumeBackup.at(tmp.resolve("b-" + damage)).withCompression(Compression.zstd())
          .backup(HostDirectory.local(src));
      if (damage.equals("truncated")) {
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
          f.setLength(f.length() / 2);
        }
      } else {
        LocalTrees.flipMiddleByte(archive);
      }
      Path dst = Files.createDirectory(tmp.resolve("dst-" + damage));

      assertThatThrownBy(() -> VolumeArchive.restore(archive, HostDirectory.local(dst)))
          .isInstanceOf(ArchiveIntegrityException.class)
          .hasMessageContaining("does not match its manifest").hasMessageContaining("(" + damage + ")")
          .hasMessageContaining("directory " + dst + " was empty before and was emptied again");
      assertThat(dst).isEmptyDirectory();
    }
  }

  @Test
  void archiveEntriesThatClimbOutOfTheRootAreRefused() throws Exception {
    Path evil = tmp.resolve("evil.tar");
    new ProcessBuilder("tar", "-cf", evil.toString(), "-C", tmp.toString(), "--transform", "s,^,../,",
        "--", ".").start().waitFor();
    Path dst = Files.createDirectory(tmp.resolve("dst"));

    assertThatThrownBy(() -> {
      try (var in = Files.newInputStream(evil)) {
        HostDirectory.local(dst).replaceWith(in);
      }
    }).isInstanceOf(VolumeException.class).hasMessageContaining("climbs out of the root");
  }

  @Test
  void aPathWrittenTwiceKeepsTheLast() throws Exception {
    java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
    try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(tar)) {
      for (String content : List.of("first", "second")) {
        for (String name : List.of("a", "dir/b")) {
          var f = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(name);
          byte[] b = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
          f.setSize(b.length);
          out.putArchiveEntry(f);
          out.write(b);
          out.closeArchiveEntry();
        }
      }
    }
    Path dst = Files.createDirectory(tmp.resolve("dst"));

    HostDirectory.local(dst).replaceWith(new java.io.ByteArrayInputStream(tar.toByteArray()));

    assertThat(Files.readString(dst.resolve("a"))).isEqualTo("second");
    assertThat(Files.readString(dst.resolve("dir/b"))).isEqualTo("second");
  }

  @Test
  void aFileAtTheNameOfALinkAnEarlierEntryMadeIsRefusedNotFollowed() throws Exception {
    Path outside = Files.writeString(tmp.resolve("outside.txt"), "untouched");
    byte[] tar = new CraftedArchives.Tar().symlink("a", outside.toString()).file("a", "second").bytes();
    Path dst = Files.createDirectory(tmp.resolve("dst"));

    assertThatThrownBy(() -> HostDirectory.local(dst).replaceWith(new java.io.ByteArrayInputStream(tar)))
        .isInstanceOf(VolumeException.class)
        .hasMessageContaining("tar entry 'a' is a regular file at the name of a symlink an earlier entry made");
    assertThat(Files.readString(outside)).isEqualTo("untouched");
  }

  @Test
  void missingDirectoryIsReportedWithItsPath() {
    Path nowhere = tmp.resolve("nowhere");
    assertThatThrownBy(() -> VolumeArchive.create(HostDirectory.local(nowhere), tmp.resolve("x.tar.gz"),
        Compression.gzip()))
        .isInstanceOf(VolumeException.class).hasMessageContaining(nowhere.toString())
        .hasMessageContaining("no such directory");
    assertThat(tmp.resolve("x.tar.gz")).doesNotExist();
    assertThat(tmp.resolve(".x.tar.gz.partial")).doesNotExist();
  }
}
