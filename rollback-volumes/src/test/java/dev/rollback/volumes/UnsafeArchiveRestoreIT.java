package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile archives ({@link CraftedArchives}, each with a matching manifest) restored into real Docker volumes, in
 * the volume's directory on this host and through the Engine's archive API: each is refused naming the entry and
 * the reason, the volume's tree is as before, and nothing appears in the directory the archive aims at.
 */
class UnsafeArchiveRestoreIT {
  private static VolumeFixture fx;
  @TempDir Path archives;
  private Path outside;

  /** How the volume is written, and what it holds before. */
  enum Way {
    DIRECT_HOLDING_FILES, DIRECT_EMPTY, ENGINE_HOLDING_FILES;

    DockerVolume of(String volume) {
      DockerVolume v = fx.dockerVolume(volume);
      if (this == ENGINE_HOLDING_FILES) {
        return v.withDirectAccess(false);
      }
      // the direct way is what this test is about: a daemon whose volumes this process cannot reach is no pass
      assertThat(v.localDirectory()).as("the volume's directory on this host (direct access)").isPresent();
      return v;
    }

    boolean empty() {
      return this == DIRECT_EMPTY;
    }
  }

  @BeforeAll
  static void docker() {
    fx = VolumeFixture.start();
  }

  @AfterAll
  static void cleanUp() {
    if (fx != null) {
      fx.close();
    }
  }

  @BeforeEach
  void outside() throws IOException {
    // on the host, outside every volume: where the hostile entries aim
    outside = Files.createTempDirectory("rbvol-outside-");
    Files.writeString(outside.resolve("sentinel.txt"), "outside\n");
  }

  @AfterEach
  void removeOutside() throws IOException {
    try (Stream<Path> s = Files.walk(outside)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static Stream<Arguments> everyArchiveEveryWay() {
    List<Arguments> all = new ArrayList<>();
    for (CraftedArchives a : CraftedArchives.values()) {
      for (Way w : Way.values()) {
        all.add(Arguments.of(a, w));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} into a volume, {1}")
  @MethodSource("everyArchiveEveryWay")
  void refusesAnArchiveThatWouldWriteOutsideTheVolumeAndLeavesTheVolumeUnchanged(CraftedArchives crafted, Way way)
      throws Exception {
    String volume = fx.volume("unsafe");
    if (!way.empty()) {
      fx.sh(volume, "echo kept > /data/keep.txt && mkdir /data/sub && echo kept too > /data/sub/keep2.txt"
          + " && ln -s keep.txt /data/inside");
    }
    DockerVolume target = way.of(volume);
    Path archive = crafted.write(archives, outside.toString());
    List<String> before = fx.listing(volume);
    List<String> outsideBefore = LocalTrees.listing(outside);
    List<String> besideBefore = beside(target);

    assertThatThrownBy(() -> VolumeArchive.restore(archive, target))
        .isInstanceOf(crafted.unsafe() ? UnsafeArchiveException.class : ArchiveIntegrityException.class)
        .hasMessageContaining("'" + crafted.entry(outside.toString()) + "'")
        .hasMessageContaining(crafted.reason())
        .hasMessageContaining(way.empty() ? "was empty before and was emptied again" : "nothing was changed");
    assertThat(fx.listing(volume)).isEqualTo(before);
    assertThat(LocalTrees.listing(outside)).isEqualTo(outsideBefore);
    assertThat(beside(target)).isEqualTo(besideBefore);
  }

  @ParameterizedTest
  @EnumSource(Way.class)
  void restoresSymlinksThatPointInsideOrAreNeverWrittenThrough(Way way) throws Exception {
    String volume = fx.volume("links");
    if (!way.empty()) {
      fx.sh(volume, "echo kept > /data/keep.txt");
    }

    // the Engine refuses a relative link climbing out of /data itself ("invalid symlink"), as it always did
    boolean climbing = way != Way.ENGINE_HOLDING_FILES;

    VolumeArchive.restore(CraftedArchives.legitimate(archives, climbing), way.of(volume));

    assertThat(fx.sh(volume, "cd /data && readlink current && readlink hostname && cat current/app.txt"
        + " && cat releases/1/same-app.txt && stat -c %h releases/1/app.txt && ls"
        + (climbing ? " && readlink up" : "")))
        .containsExactlyElementsOf(Stream.concat(Stream.of("releases/1", "/etc/hostname", "release 1", "release 1",
            "2", "current", "hostname", "releases"), climbing ? Stream.of("up", "../elsewhere") : Stream.of())
            .toList());
  }

  /** What is next to the volume's directory on this host ({@code ..} from its root), for the direct ways. */
  private static List<String> beside(DockerVolume v) throws IOException {
    if (v.localDirectory().isEmpty()) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(v.localDirectory().get().getParent())) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
