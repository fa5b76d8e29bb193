package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link VolumeArchive#restore} uses {@link VolumeSource#fillIfEmpty} and when it empties a target again. */
class VolumeArchiveRestoreTest {
  @TempDir Path tmp;
  private Path archive;

  @BeforeEach
  void archive() throws Exception {
    Path src = Files.createDirectory(tmp.resolve("src"));
    LocalTrees.tricky(src);
    archive = VolumeBackup.at(tmp.resolve("b")).withCompression(Compression.zstd()).backup(HostDirectory.local(src));
  }

  @Test
  void aTargetThatFailsBeforeReadingIsNeverEmptiedEvenWhenTheArchiveIsBad() throws Exception {
    LocalTrees.flipMiddleByte(archive);
    RecordingSource target = new RecordingSource(in -> {
      throw new VolumeException("helper image missing");
    });

    assertThatThrownBy(() -> VolumeArchive.restore(archive, target))
        .isInstanceOf(VolumeException.class).hasMessage("helper image missing")
        .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
            .isInstanceOf(ArchiveIntegrityException.class));
    assertThat(target.calls).containsExactly("fillIfEmpty read 0 bytes");
  }

  @Test
  void aTargetThatFailsWhileFillingASoundArchiveIsEmptiedAgain() {
    RecordingSource target = new RecordingSource(in -> {
      readSome(in);
      throw new VolumeException("No space left on device");
    });

    assertThatThrownBy(() -> VolumeArchive.restore(archive, target))
        .isInstanceOf(VolumeException.class).isNotInstanceOf(ArchiveIntegrityException.class)
        .hasMessageContaining("No space left on device")
        .hasMessageContaining("fake source was empty before and was emptied again");
    assertThat(target.calls).containsExactly("fillIfEmpty read 4096 bytes", "replaceWith 1024 zero bytes");
  }

  @Test
  void aBadArchiveFilledIntoAnEmptyTargetIsRefusedAndTheTargetEmptiedAgain() throws Exception {
    LocalTrees.flipMiddleByte(archive);
    RecordingSource target = new RecordingSource(in -> {
      readAll(in);
      return true;
    });

    assertThatThrownBy(() -> VolumeArchive.restore(archive, target))
        .isInstanceOf(ArchiveIntegrityException.class).hasMessageContaining("does not match its manifest")
        .hasMessageContaining("fake source was empty before and was emptied again")
        .hasMessageNotContaining("nothing was changed");
    assertThat(target.calls).hasSize(2).last().isEqualTo("replaceWith 1024 zero bytes");
  }

  @Test
  void aTargetThatHoldsSomethingIsVerifiedFirstAndABadArchiveTouchesNothing() throws Exception {
    LocalTrees.flipMiddleByte(archive);
    RecordingSource target = new RecordingSource(in -> false);

    assertThatThrownBy(() -> VolumeArchive.restore(archive, target))
        .isInstanceOf(ArchiveIntegrityException.class).hasMessageContaining("nothing was changed");
    assertThat(target.calls).containsExactly("fillIfEmpty read 0 bytes");
  }

  @Test
  void aTargetThatHoldsSomethingGetsTheWholeStreamThroughReplaceWith() throws Exception {
    RecordingSource target = new RecordingSource(in -> false);

    ArchiveManifest m = VolumeArchive.restore(archive, target);

    assertThat(target.calls).hasSize(2).first().isEqualTo("fillIfEmpty read 0 bytes");
    assertThat(target.calls.get(1)).startsWith("replaceWith ").doesNotContain(" zero ");
    assertThat(m.sha256()).isEqualTo(ArchiveManifest.readFor(archive).sha256());
  }

  private static void readSome(InputStream in) {
    try {
      in.readNBytes(4096);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void readAll(InputStream in) {
    try {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    } catch (IOException e) {
      // a corrupt stream may not decompress: the target fails as a real one would
      throw new VolumeException("unpacking failed: " + e.getMessage(), e);
    }
  }

  /** A target that records what restore asked of it. */
  private static final class RecordingSource implements VolumeSource {
    final List<String> calls = new ArrayList<>();
    private final Predicate<InputStream> fill;

    RecordingSource(Predicate<InputStream> fill) {
      this.fill = fill;
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public String describe() {
      return "fake source";
    }

    @Override
    public boolean exists() {
      return true;
    }

    @Override
    public void exportTo(TarEntrySink sink) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void replaceWith(InputStream tar) {
      try {
        byte[] all = tar.readAllBytes();
        boolean zeros = all.length > 0;
        for (byte b : all) {
          zeros &= b == 0;
        }
        calls.add("replaceWith " + all.length + (zeros ? " zero" : "") + " bytes");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public boolean fillIfEmpty(InputStream tar) {
      CountingStream counted = new CountingStream(tar);
      try {
        return fill.test(counted);
      } finally {
        calls.add("fillIfEmpty read " + counted.count + " bytes");
      }
    }
  }

  private static final class CountingStream extends java.io.FilterInputStream {
    long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      count += Math.max(n, 0);
      return n;
    }
  }
}
