package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import dev.rollback.release.UnorderedReleasesException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReleaseImages#previousOf} against the real daemon: twelve distinct images (busybox plus a label each),
 * tagged as releases in per-test repositories.
 */
class ReleaseImagesOrderIT {
  static DockerFixture fx;
  static String buildRepo;
  /** The image ids of the twelve builds, index 0 for build 1. */
  static final List<String> IMAGES = new ArrayList<>();

  @TempDir
  Path tmp;

  @BeforeAll
  static void buildTwelveImages() throws Exception {
    fx = DockerFixture.start();
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    buildRepo = "rollback-test/rbdock-order-" + suffix;
    Path dir = Files.createTempDirectory("rbdock-order-");
    try {
      for (int i = 1; i <= 12; i++) {
        Files.writeString(dir.resolve("Dockerfile"), "FROM " + fx.env.get("docker.busybox_image") + "\n"
            + "LABEL dev.rollback.test=\"true\" rbdock.order=\"" + suffix + "-" + i + "\"\n");
        LocalExecutor.create().run(Command.of("docker", "build", "--network=none", "-q", "-t",
            buildRepo + ":build-" + i, dir.toString()).withEnv("DOCKER_BUILDKIT", "0")
            .withTimeout(Duration.ofMinutes(2))).requireSuccess();
        IMAGES.add(fx.docker.findImage(buildRepo + ":build-" + i).orElseThrow().getId());
      }
    } finally {
      Files.deleteIfExists(dir.resolve("Dockerfile"));
      Files.deleteIfExists(dir);
    }
  }

  @AfterAll
  static void removeImages() {
    if (fx == null) {
      return;
    }
    fx.close();
    for (int i = 1; i <= IMAGES.size(); i++) {
      LocalExecutor.create().run(Command.of("docker", "rmi", buildRepo + ":build-" + i));
    }
  }

  static String repo() {
    return "rollback-test/rbdock-order-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Tags build {@code n} (1-based) as a release. */
  static void tag(String repo, int build, String id) {
    fx.tag(buildRepo + ":build-" + build, repo, id);
  }

  @Test
  void theReleaseBeforeTagTenIsNineAmongTagsOneToTwelve() {
    String repo = repo();
    ReleaseImages releases = ReleaseImages.of(fx.docker, repo);
    for (int i = 12; i >= 1; i--) {
      tag(repo, i, "" + i);
    }

    assertThat(releases.ids()).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12");
    assertThat(releases.previousOf(IMAGES.get(9)).id()).isEqualTo("9");
    assertThat(releases.previousOf(IMAGES.get(9)).imageId()).isEqualTo(IMAGES.get(8));
  }

  @Test
  void recordedDeploysOrderTagsOneToTwelveEvenWhenARedeployBreaksTheNumbers() {
    String repo = repo();
    ReleaseImages releases = ReleaseImages.of(fx.docker, repo).recordedIn(tmp);
    for (int i = 1; i <= 12; i++) {
      tag(repo, i, "" + i);
      releases.recordDeployed("" + i);
    }
    assertThat(releases.previousOf(IMAGES.get(9)).id()).isEqualTo("9");

    // 7 deployed again after 12: what ran before it is 12
    releases.recordDeployed("7");
    assertThat(releases.ids()).containsExactly("1", "2", "3", "4", "5", "6", "8", "9", "10", "11", "12", "7");
    assertThat(releases.previousOf(IMAGES.get(6)).id()).isEqualTo("12");
  }

  @Test
  void gitShaTagsAreOrderedByTheirDeployRecord() {
    String repo = repo();
    ReleaseImages releases = ReleaseImages.of(fx.docker, repo).recordedIn(tmp);
    List<String> deployed = List.of("9c0ffee", "e4d5c6b", "3f2a1bc");
    for (int i = 0; i < deployed.size(); i++) {
      tag(repo, i + 1, deployed.get(i));
      releases.recordDeployed(deployed.get(i));
    }

    assertThat(releases.ids()).containsExactly("9c0ffee", "e4d5c6b", "3f2a1bc");
    assertThat(releases.previousOf(IMAGES.get(2)).id()).isEqualTo("e4d5c6b");
    assertThat(releases.previousOf(IMAGES.get(1)).id()).isEqualTo("9c0ffee");
  }

  @Test
  void gitShaTagsWithoutADeployRecordAreRefusedNamingThem() {
    String repo = repo();
    ReleaseImages releases = ReleaseImages.of(fx.docker, repo);
    List<String> shas = List.of("9c0ffee", "e4d5c6b", "3f2a1bc");
    for (int i = 0; i < shas.size(); i++) {
      tag(repo, i + 1, shas.get(i));
    }

    assertThatThrownBy(() -> releases.previousOf(IMAGES.get(2)))
        .isInstanceOfSatisfying(UnorderedReleasesException.class,
            e -> assertThat(e.unordered()).containsExactlyInAnyOrderElementsOf(shas))
        .hasMessageContaining("cannot tell which release came before 3f2a1bc in " + repo)
        .hasMessageContaining("e4d5c6b (no deploy record");
  }
}
