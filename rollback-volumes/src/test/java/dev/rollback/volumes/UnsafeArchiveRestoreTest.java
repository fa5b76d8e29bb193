package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.exec.LocalExecutor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile archives ({@link CraftedArchives}, each with a matching manifest) restored into host directories: here
 * (unpacked in-process) and through an executor's {@code tar}. Each is refused naming the entry and the reason; the
 * target and everything around it are exactly as before.
 */
class UnsafeArchiveRestoreTest {
  @TempDir Path tmp;
  private Path work;
  private Path outside;
  private Path target;

  /** How the directory is reached, and what it holds before. */
  enum Target {
    LOCAL_HOLDING_FILES, LOCAL_EMPTY, REMOTE_HOLDING_FILES;

    HostDirectory of(Path dir) {
      return this == REMOTE_HOLDING_FILES ? HostDirectory.remote(LocalExecutor.create(), dir.toString())
          : HostDirectory.local(dir);
    }

    boolean empty() {
      return this == LOCAL_EMPTY;
    }
  }

  @BeforeEach
  void dirs() throws IOException {
    work = Files.createDirectories(tmp.resolve("work"));
    outside = Files.createDirectories(work.resolve("outside"));
    Files.writeString(outside.resolve("sentinel.txt"), "outside\n");
    target = Files.createDirectories(work.resolve("target"));
  }

  static Stream<Arguments> everyArchiveIntoEveryTarget() {
    List<Arguments> all = new ArrayList<>();
    for (CraftedArchives a : CraftedArchives.values()) {
      for (Target t : Target.values()) {
        all.add(Arguments.of(a, t));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} into {1}")
  @MethodSource("everyArchiveIntoEveryTarget")
  void refusesTheArchiveNamingTheEntryAndChangesNothing(CraftedArchives crafted, Target kind) throws Exception {
    if (!kind.empty()) {
      holdFiles(target);
    }
    Path archive = crafted.write(tmp.resolve("archives"), outside.toString());
    List<String> before = LocalTrees.listing(work);

    assertThatThrownBy(() -> VolumeArchive.restore(archive, kind.of(target)))
        .isInstanceOf(crafted.unsafe() ? UnsafeArchiveException.class : ArchiveIntegrityException.class)
        .hasMessageContaining("'" + crafted.entry(outside.toString()) + "'")
        .hasMessageContaining(crafted.reason())
        .hasMessageContaining(kind.empty() ? "was empty before and was emptied again" : "nothing was changed");
    assertThat(LocalTrees.listing(work)).isEqualTo(before);
    assertThat(tmp.resolve("escaped.txt")).doesNotExist();
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void restoresSymlinksThatPointInsideOrAreNeverWrittenThrough(Target kind) throws Exception {
    if (!kind.empty()) {
      holdFiles(target);
    }
    Path archive = CraftedArchives.legitimate(tmp.resolve("archives"), true);

    VolumeArchive.restore(archive, kind.of(target));

    assertThat(Files.readSymbolicLink(target.resolve("current"))).isEqualTo(Path.of("releases/1"));
    assertThat(Files.readString(target.resolve("current/app.txt"))).isEqualTo("release 1\n");
    assertThat(Files.readSymbolicLink(target.resolve("hostname"))).isEqualTo(Path.of("/etc/hostname"));
    assertThat(Files.readSymbolicLink(target.resolve("up"))).isEqualTo(Path.of("../elsewhere"));
    assertThat(Files.readString(target.resolve("releases/1/same-app.txt"))).isEqualTo("release 1\n");
    assertThat(target.resolve("keep.txt")).doesNotExist();
    assertThat(Files.readString(outside.resolve("sentinel.txt"))).isEqualTo("outside\n");
  }

  @Test
  void theUnpackerRefusesToWriteThroughASymlinkTheTargetHeldAlready() throws Exception {
    // beneath the entry check: a symlink no entry made, so only the unpacker can see it
    Files.createSymbolicLink(target.resolve("evil"), outside);
    byte[] tar = new CraftedArchives.Tar().file("evil/planted.txt", "planted").bytes();

    assertThatThrownBy(() -> LocalTree.extract(new ByteArrayInputStream(tar), target))
        .isInstanceOf(TarEntryCheck.Refused.class)
        .hasMessageContaining("'evil/planted.txt' would be written through the symlink 'evil'");
    assertThat(outside.resolve("planted.txt")).doesNotExist();
  }

  @Test
  void aStreamSentToAnExecutorsTarStopsBeforeTheRefusedEntry() throws Exception {
    // replaceWith called directly, without the archive's check: the stream itself stops the entry
    byte[] tar = new CraftedArchives.Tar().file("ok.txt", "fine\n").symlink("evil", outside.toString())
        .file("evil/planted.txt", "planted").bytes();

    assertThatThrownBy(() -> HostDirectory.remote(LocalExecutor.create(), target.toString())
        .replaceWith(new ByteArrayInputStream(tar)))
        .isInstanceOf(VolumeException.class)
        .hasMessageContaining("tar entry 'evil/planted.txt' lies beneath 'evil'")
        .hasMessageContaining("it was not sent");
    assertThat(outside.resolve("planted.txt")).doesNotExist();
    assertThat(LocalTrees.listing(outside)).hasSize(1);
  }

  private static void holdFiles(Path dir) throws IOException {
    Files.writeString(dir.resolve("keep.txt"), "kept\n");
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/keep2.txt"), "kept too\n");
    Files.createSymbolicLink(dir.resolve("inside"), Path.of("keep.txt"));
  }
}
