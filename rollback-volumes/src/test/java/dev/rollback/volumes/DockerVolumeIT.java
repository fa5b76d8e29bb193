package dev.rollback.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Container;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DockerVolume's edges against the real Engine: missing volumes and images, errors, helpers, users. */
class DockerVolumeIT {
  private VolumeFixture fx;

  @BeforeEach
  void start() {
    fx = VolumeFixture.start();
  }

  @AfterEach
  void cleanUp() {
    fx.close();
  }

  @Test
  void missingVolumeIsReportedWithTheDaemonAndHowToCreateIt(@TempDir Path dir) {
    DockerVolume missing = fx.dockerVolume("rbvol-missing-0000");

    assertThat(missing.exists()).isFalse();
    assertThatThrownBy(() -> VolumeBackup.at(dir).backup(missing))
        .isInstanceOf(VolumeException.class)
        .hasMessageContaining("has no such volume").hasMessageContaining("docker volume create rbvol-missing-0000")
        .hasMessageContaining(fx.docker.host().toString());
    assertThat(VolumeBackup.at(dir).list("rbvol-missing-0000")).isEmpty();
  }

  @Test
  void helperImageThatIsNotLocalIsRefusedAndNeverPulled(@TempDir Path dir) {
    String volume = fx.volume("noimage");
    DockerVolume v = DockerVolume.named(fx.docker, volume).withHelperImage("rbvol-not-there:never");

    assertThatThrownBy(() -> VolumeBackup.at(dir).backup(v))
        .isInstanceOf(VolumeException.class).hasMessageContaining("rbvol-not-there:never")
        .hasMessageContaining("never pulled");
    assertThat(fx.docker.findImage("rbvol-not-there:never")).isEmpty();
  }

  @Test
  void withoutAHelperImageALocalBusyboxIsChosen(@TempDir Path dir) {
    String volume = fx.volume("auto");
    fx.sh(volume, "echo auto > /data/f");
    DockerVolume v = DockerVolume.named(fx.docker, volume);

    assertThat(v.helperImage()).contains("busybox");
    Path archive = VolumeBackup.at(dir).backup(v);
    assertThat(VolumeArchive.verify(archive).files()).isEqualTo(1);
  }

  @Test
  void archiveEndpointErrorsCarryTheDaemonsStatusAndMessage() {
    assertThatThrownBy(() -> EngineArchive.get(fx.docker.host(), "rbvol-no-such-container", "/data"))
        .isInstanceOf(IOException.class).hasMessageContaining("404")
        .hasMessageContaining("No such container");
  }

  @Test
  void containersAreTheVolumesUsersAndNeverItsHelpers() {
    String volume = fx.volume("users");
    String user = fx.runUser("rbvol-user-" + volume.substring(volume.length() - 8), volume);
    fx.runUser("rbvol-other-" + volume.substring(volume.length() - 8), fx.volume("elsewhere"));

    assertThat(fx.dockerVolume(volume).containers()).extracting(Container::getId).containsExactly(user);
  }

  @Test
  void helpersAreRemovedAfterEveryCall(@TempDir Path dir) {
    String volume = fx.volume("helpers");
    fx.sh(volume, "echo x > /data/f");
    Path archive = VolumeBackup.at(dir).backup(fx.dockerVolume(volume));
    VolumeArchive.restore(archive, fx.dockerVolume(volume));

    assertThat(fx.docker.client().listContainersCmd().withShowAll(true)
        .withLabelFilter(java.util.List.of(DockerVolume.HELPER_LABEL)).withVolumeFilter(java.util.List.of(volume))
        .exec()).isEmpty();
  }
}
