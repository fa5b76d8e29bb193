package dev.rollback.docker;

import com.github.dockerjava.api.model.Image;
import dev.rollback.ReleaseNotFoundException;
import dev.rollback.RollbackException;
import dev.rollback.release.ReleaseOrder;
import dev.rollback.release.UnorderedReleasesException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The release images of one repository: tags {@code <repository>:<prefix><id>} (prefix default {@code release-}),
 * ordered as every module orders releases ({@link ReleaseOrder}): by the deploy sequence the registry records, then
 * by the natural order of ids ({@code 9 < 10}); git-sha ids without a record are refused, not guessed.
 *
 * <p>With a {@link ReleaseRegistry} ({@link #recordedIn(Path)}), {@link #recordDeployed(String)} notes the image id
 * behind a tag at deploy time, and {@link #resolve(String)} refuses a tag that has since moved to another image
 * or whose release was recorded but is gone. Immutable; {@code withX} returns copies.
 *
 * <pre>{@code
 * ReleaseImages releases = ReleaseImages.of(docker, "app").recordedIn(Path.of("/var/lib/deploy/releases"));
 * releases.recordDeployed("20240116-104500");          // in the deploy tool, right after tagging
 * ReleaseImage prev = releases.previousOf(runningImageId); // what a rollback would start
 * }</pre>
 */
public final class ReleaseImages {
  private final Docker docker;
  private final String repository;
  private final String prefix;
  private final ReleaseRegistry registry;

  private ReleaseImages(Docker docker, String repository, String prefix, ReleaseRegistry registry) {
    this.docker = docker;
    this.repository = repository;
    this.prefix = prefix;
    this.registry = registry;
  }

  /**
   * The releases of a repository, tag prefix {@code release-}, no registry.
   *
   * @param docker the daemon
   * @param repository e.g. {@code app} or {@code rollback-test/app}
   * @return the releases
   */
  public static ReleaseImages of(Docker docker, String repository) {
    Objects.requireNonNull(docker, "docker");
    if (repository == null || repository.isBlank() || repository.contains("@")) {
      throw new IllegalArgumentException("not an image repository: '" + repository + "'");
    }
    return new ReleaseImages(docker, repository, "release-", null);
  }

  /**
   * Sets the tag prefix.
   *
   * @param prefix default {@code release-}
   * @return a copy
   */
  public ReleaseImages withTagPrefix(String prefix) {
    return new ReleaseImages(docker, repository, Objects.requireNonNull(prefix, "prefix"), registry);
  }

  /**
   * Records deployed image ids in a directory (see {@link ReleaseRegistry}).
   *
   * @param dir the registry directory; default none (tags are trusted as they are)
   * @return a copy
   */
  public ReleaseImages recordedIn(Path dir) {
    return new ReleaseImages(docker, repository, prefix, ReleaseRegistry.in(dir, repository));
  }

  /** @return the repository */
  public String repository() {
    return repository;
  }

  /** @return the registry, if one is set */
  public Optional<ReleaseRegistry> registry() {
    return Optional.ofNullable(registry);
  }

  /**
   * @param id a release id
   * @return its tag, {@code <repository>:<prefix><id>}
   */
  public String reference(String id) {
    return repository + ":" + prefix + id;
  }

  /**
   * Lists the release tags that exist now.
   *
   * @return the releases, oldest first in {@link ReleaseOrder} (a listing only, where that order is not definite)
   */
  public List<ReleaseImage> list() {
    List<Image> images = docker.call("list images of " + repository,
        () -> docker.client().listImagesCmd().withImageNameFilter(repository).exec());
    List<ReleaseImage> out = new ArrayList<>();
    String head = repository + ":" + prefix;
    for (Image i : images) {
      if (i.getRepoTags() == null) {
        continue;
      }
      for (String t : i.getRepoTags()) {
        if (t.startsWith(head) && t.length() > head.length()) {
          out.add(new ReleaseImage(t.substring(head.length()), t, i.getId()));
        }
      }
    }
    Map<String, ReleaseRegistry.Entry> recorded = recorded();
    return ReleaseOrder.of(repository, out, ReleaseImage::id, r -> ReleaseIds.sequenceOf(recorded.get(r.id())))
        .list();
  }

  /** @return the ids of {@link #list()}, in order */
  public List<String> ids() {
    return list().stream().map(ReleaseImage::id).toList();
  }

  /**
   * Records the image id the release's tag names now; call it when the release is deployed.
   *
   * @param id the release id
   * @return the release as recorded
   * @throws ReleaseNotFoundException when the tag does not exist
   * @throws IllegalStateException when no registry is set
   */
  public ReleaseImage recordDeployed(String id) {
    if (registry == null) {
      throw new IllegalStateException("no release registry is set for " + repository + ": call recordedIn(dir)");
    }
    ReleaseImage r = find(id).orElseThrow(() -> notFound(id));
    registry.record(id, r.imageId());
    return r;
  }

  /**
   * The release with this id, checked against the registry: its tag must exist and, when the release was
   * recorded, still name the recorded image.
   *
   * @param id the release id
   * @return the release
   * @throws ReleaseNotFoundException listing the releases that exist, when the tag is gone
   * @throws ReleaseTagMovedException when the tag now names another image than the one deployed
   */
  public ReleaseImage resolve(String id) {
    ReleaseImage r = find(id).orElseThrow(() -> notFound(id));
    if (registry != null) {
      ReleaseRegistry.Entry e = registry.read().get(id);
      if (e != null && !e.imageId().equals(r.imageId())) {
        throw new ReleaseTagMovedException(r.reference(), e.imageId(), r.imageId(), registry.file());
      }
    }
    return r;
  }

  /**
   * The release whose tag names an image id (what a container runs).
   *
   * @param imageId an image id, {@code sha256:...}
   * @return the newest release naming it ({@link ReleaseOrder}), or empty
   */
  public Optional<ReleaseImage> releaseOf(String imageId) {
    return releaseOf(imageId, list());
  }

  private Optional<ReleaseImage> releaseOf(String imageId, List<ReleaseImage> all) {
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).imageId().equals(imageId)) {
        return Optional.of(all.get(i));
      }
    }
    if (registry != null) {
      // The tag may have been moved or pruned since: the registry still knows which release this image was.
      List<String> recorded = new ArrayList<>();
      for (Map.Entry<String, ReleaseRegistry.Entry> e : registry.read().entrySet()) {
        if (e.getValue().imageId().equals(imageId)) {
          recorded.add(e.getKey());
        }
      }
      if (!recorded.isEmpty()) {
        List<String> ordered = ReleaseIds.order(repository, recorded, registry.read()).list();
        String id = ordered.get(ordered.size() - 1);
        return Optional.of(new ReleaseImage(id, reference(id), imageId));
      }
    }
    return Optional.empty();
  }

  /**
   * The release deployed before the one running an image id ({@link ReleaseOrder}: the registry's deploy record,
   * then the natural order of ids), checked as {@link #resolve(String)} checks. With a registry, a release recorded
   * there whose tag is now gone counts (and is refused, naming it), so a pruned previous release is never skipped
   * silently.
   *
   * @param runningImageId the image id the container runs
   * @return the previous release
   * @throws ReleaseNotFoundException when the running image is not a release, or no earlier release exists
   * @throws ReleaseTagMovedException when the previous release's tag names another image than recorded
   * @throws UnorderedReleasesException when the order cannot be told (git-sha tags without a record), naming them
   */
  public ReleaseImage previousOf(String runningImageId) {
    List<ReleaseImage> all = list();
    List<String> ids = all.stream().map(ReleaseImage::id).toList();
    ReleaseImage current = releaseOf(runningImageId, all).orElseThrow(() -> new ReleaseNotFoundException(
        "release image", "running " + ReleaseImage.shortId(runningImageId), repository + " tags " + reference("*")
        + " (the running image is not a release: name the target with toRelease(id))", ids));
    Map<String, ReleaseRegistry.Entry> recorded = recorded();
    List<String> candidates = new ArrayList<>(ids);
    recorded.keySet().stream().filter(k -> !candidates.contains(k)).forEach(candidates::add);
    String previous = ReleaseIds.order(repository + " (running " + current.reference() + ")", candidates, recorded)
        .previousOf(current.id()).orElse(null);
    if (previous == null) {
      throw new ReleaseNotFoundException("release image", "before " + current.id(), repository + " (running "
          + current.reference() + ")", ids);
    }
    String p = previous;
    ReleaseImage r = all.stream().filter(x -> x.id().equals(p)).findFirst().orElseThrow(() -> new
        ReleaseNotFoundException("release image", reference(p), "the images of " + repository,
        all.stream().map(ReleaseImage::reference).toList()));
    ReleaseRegistry.Entry e = recorded.get(p);
    if (e != null && !e.imageId().equals(r.imageId())) {
      throw new ReleaseTagMovedException(r.reference(), e.imageId(), r.imageId(), registry.file());
    }
    return r;
  }

  private Map<String, ReleaseRegistry.Entry> recorded() {
    return registry == null ? Map.of() : registry.read();
  }

  private Optional<ReleaseImage> find(String id) {
    return docker.findImage(reference(id)).map(i -> new ReleaseImage(id, reference(id), i.getId()));
  }

  private ReleaseNotFoundException notFound(String id) {
    return new ReleaseNotFoundException("release image", reference(id), "the images of " + repository,
        list().stream().map(ReleaseImage::reference).toList());
  }

  /** @return {@code <repository>:<prefix>*} */
  @Override
  public String toString() {
    return reference("*");
  }
}
