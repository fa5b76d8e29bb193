package dev.rollback.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.exec.Executor;
import dev.rollback.exec.LocalExecutor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong reads = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    Path probe = root.resolve("current/version");
    Thread reader = new Thread(() -> {
      while (!stop.get()) {
        try {
          String v = Files.readString(probe, StandardCharsets.UTF_8);
          if (!v.equals("1") && !v.equals("2")) {
            failures.incrementAndGet();
          }
        } catch (IOException e) {
          failures.incrementAndGet();
        }
        reads.incrementAndGet();
      }
    });
    reader.start();
    try {
      for (int i = 0; i < 1000; i++) {
        d.activate(i % 2 == 0 ? "r2" : "r1");
      }
    } finally {
      stop.set(true);
      reader.join();
    }
    assertThat(failures.get()).isZero();
    assertThat(reads.get()).isGreaterThan(1000);
    assertThat(d.currentId()).contains("r1");
  }
}
