package dev.rollback.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.exec.Executor;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.testing.ReaderLoop;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseDirectoryTest extends ReleaseDirectoryContract {
  @TempDir
  Path tmp;
  int roots;

  @Override
  Executor executor() {
    return LocalExecutor.create();
  }

  @Override
  String freshRoot() {
    return tmp.resolve("app" + (++roots)).toString();
  }

  @Test
  void aReaderResolvingCurrentInATightLoopSeesNoFailureDuring1000Switches() throws Exception {
    Path root = tmp.resolve("swap");
    ReleaseDirectory d = ReleaseDirectory.at(root);
    d.deploy(ReleaseSpec.withId("r1").file("version", "1"));
    d.deploy(ReleaseSpec.withId("r2").file("version", "2"));
    d.activate("r1");
    try (ReaderLoop reader = ReaderLoop.start(root.resolve("current/version"), Set.of("1", "2"))) {
      for (int i = 0; i < 1000; i++) {
        d.activate(i % 2 == 0 ? "r2" : "r1");
      }
      reader.close();
      assertThat(reader.failures()).isZero();
      assertThat(reader.reads()).isGreaterThan(1000);
    }
    assertThat(d.currentId()).contains("r1");
  }
}
