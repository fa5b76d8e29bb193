package dev.rollback.docker;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import dev.rollback.testing.TestEnvironment;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What Docker integration tests share: the daemon from env.properties, the test images, containers and tags
 * created with the {@code rbdock-} / {@code rollback-test/} prefixes and removed again by {@link #close()}.
 */
public final class DockerFixture implements AutoCloseable {
  /** The daemon. */
  public final Docker docker;
  /** The test environment. */
  public final TestEnvironment env;
  private final List<String> containers = new ArrayList<>();
  private final List<String> tags = new ArrayList<>();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private DockerFixture(TestEnvironment env, Docker docker) {
    this.env = env;
    this.docker = docker;
  }

  /**
   * Requires Docker (skips, or fails under -Drollback.it.required=true) and builds the test images.
   *
   * @return the fixture
   */
  public static DockerFixture start() {
    TestEnvironment env = TestEnvironment.load().requireServer("Docker", null, null, "docker.host",
        "docker.busybox_image");
    Docker docker = Docker.at(URI.create(env.get("docker.host")));
    try {
      docker.version();
    } catch (RuntimeException e) {
      TestEnvironment.unavailable("Docker does not answer at " + env.get("docker.host") + ": " + e.getMessage());
    }
    TestImages.ensureBuilt(env.get("docker.busybox_image"));
    return new DockerFixture(env, docker);
  }

  /**
   * Tags an image as a release of a per-test repository, so "the previous release" is what the test says.
   *
   * @param image the source image
   * @param repository e.g. {@code rollback-test/rbdock-swap}
   * @param id the release id
   * @return the new reference
   */
  public String tag(String image, String repository, String id) {
    docker.client().tagImageCmd(image, repository, "release-" + id).withForce(true).exec();
    String ref = repository + ":release-" + id;
    tags.add(ref);
    return ref;
  }

  /** Removes a tag now (the image stays under its other tags). @param ref the tag */
  public void untag(String ref) {
    docker.client().removeImageCmd(ref).withNoPrune(true).exec();
  }

  /**
   * Starts a container the way a deploy tool would: init (so SIGTERM stops it), restart policy
   * unless-stopped, 8080 published on 127.0.0.1:hostPort.
   *
   * @param name the container's name (rbdock-...)
   * @param image the image
   * @param hostPort the host port on 127.0.0.1, or 0 for none
   * @param env environment entries NAME=value
   * @return the container's id
   */
  public String run(String name, String image, int hostPort, String... env) {
    return run(name, image, true, hostPort, env);
  }

  /**
   * Starts a container, with or without init.
   *
   * @param name the container's name (rbdock-...)
   * @param image the image
   * @param init whether docker-init runs as PID 1 (without it, busybox ignores SIGTERM)
   * @param hostPort the host port on 127.0.0.1, or 0 for none
   * @param env environment entries NAME=value
   * @return the container's id
   */
  public String run(String name, String image, boolean init, int hostPort, String... env) {
    removeQuietly(name);
    HostConfig hc = HostConfig.newHostConfig().withInit(init)
        .withRestartPolicy(RestartPolicy.unlessStoppedRestart());
    if (hostPort > 0) {
      hc.withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", hostPort),
          ExposedPort.tcp(8080)));
    }
    String id = docker.client().createContainerCmd(image).withName(name).withHostConfig(hc).withEnv(env)
        .withLabels(java.util.Map.of("rbdock.test", "true")).exec().getId();
    containers.add(name);
    docker.client().startContainerCmd(id).exec();
    return id;
  }

  /** @param name a container the test creates indirectly, removed at close */
  public void cleanUpContainer(String name) {
    containers.add(name);
  }

  /**
   * GETs a URL once.
   *
   * @param url the URL
   * @return the status, or -1 when the connection failed
   */
  public static int status(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * GETs a URL's body once.
   *
   * @param url the URL
   * @return the body, or an empty string when the request failed
   */
  public static String body(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /**
   * Polls until a condition holds.
   *
   * @param what for the failure message
   * @param deadline how long at most
   * @param cond the condition
   */
  public static void await(String what, Duration deadline, BooleanSupplier cond) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + deadline.toMillis() + " ms: " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  /** @param name a container to remove if it exists */
  public void removeQuietly(String name) {
    try {
      docker.client().removeContainerCmd(name).withForce(true).exec();
    } catch (RuntimeException ignored) {
      // not there
    }
  }

  /** Removes every container and tag the test created, and containers named like its own with suffixes. */
  @Override
  public void close() {
    List<String> names = new ArrayList<>(containers);
    for (var c : docker.client().listContainersCmd().withShowAll(true).exec()) {
      for (String n : c.getNames()) {
        String bare = n.substring(1);
        for (String mine : containers) {
          if (bare.startsWith(mine + "-")) {
            names.add(bare);
          }
        }
      }
    }
    names.forEach(this::removeQuietly);
    for (String t : tags) {
      try {
        docker.client().removeImageCmd(t).withNoPrune(true).exec();
      } catch (RuntimeException ignored) {
        // already gone
      }
    }
    docker.close();
  }
}
