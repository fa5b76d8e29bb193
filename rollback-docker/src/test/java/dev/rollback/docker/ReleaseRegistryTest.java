package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.RollbackException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseRegistryTest {
  @TempDir
  Path tmp;

  @Test
  void recordsReadsAndForgetsReleasesInAFilePerRepository() throws Exception {
    ReleaseRegistry r = ReleaseRegistry.in(tmp, "registry.example/team/app");
    assertThat(r.read()).isEmpty();
    r.record("1", "sha256:aaa");
    r.record("2", "sha256:bbb");
    r.record("1", "sha256:ccc");
    assertThat(r.file()).isEqualTo(tmp.resolve("registry.example_team_app.json"));
    assertThat(ReleaseRegistry.in(tmp, "registry.example/team/app").read()).containsOnlyKeys("1", "2");
    assertThat(r.read().get("1").imageId()).isEqualTo("sha256:ccc");
    r.forget("2");
    assertThat(r.read()).containsOnlyKeys("1");
    assertThat(Files.list(tmp)).hasSize(1);
  }

  @Test
  void saysWhichFileIsBrokenAndWhatToDo() throws Exception {
    ReleaseRegistry r = ReleaseRegistry.in(tmp, "app");
    Files.writeString(r.file(), "{not json");
    assertThatThrownBy(r::read).isInstanceOf(RollbackException.class).hasMessageContaining(r.file().toString())
        .hasMessageContaining("fix or delete it");
  }

  @Test
  void eachRecordIsTheNewestDeploySoARedeployMovesAReleaseLast() throws Exception {
    ReleaseRegistry r = ReleaseRegistry.in(tmp, "app");
    r.record("1", "sha256:aaa");
    r.record("2", "sha256:bbb");
    r.record("1", "sha256:aaa");

    assertThat(r.read().keySet()).containsExactly("2", "1");
    assertThat(r.read().get("2").sequence()).isEqualTo(2L);
    assertThat(r.read().get("1").sequence()).isEqualTo(3L);
  }

  @Test
  void aFileFromBeforeTheSequenceReadsWithoutOne() throws Exception {
    ReleaseRegistry r = ReleaseRegistry.in(tmp, "app");
    Files.writeString(r.file(), "{\"repository\":\"app\",\"releases\":{\"1\":{\"imageId\":\"sha256:aaa\","
        + "\"recordedAt\":\"2024-01-15T11:30:00Z\"}}}");
    assertThat(r.read().get("1").sequence()).isNull();
    r.record("2", "sha256:bbb");
    assertThat(r.read().get("2").sequence()).isEqualTo(1L);

    Files.writeString(r.file(), "{\"releases\":{\"1\":{\"imageId\":\"sha256:aaa\",\"sequence\":\"x\"}}}");
    assertThatThrownBy(r::read).isInstanceOf(RollbackException.class).hasMessageContaining("sequence");
  }
}
