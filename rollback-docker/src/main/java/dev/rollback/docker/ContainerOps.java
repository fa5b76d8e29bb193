package dev.rollback.docker;

import dev.rollback.RollbackContext;
import java.time.Duration;

/** The container changes strategies make, each recorded as an action of the running step. */
final class ContainerOps {
  private final Docker docker;
  private final RollbackContext ctx;
  private final Duration stopTimeout;

  ContainerOps(Docker docker, RollbackContext ctx, Duration stopTimeout) {
    this.docker = docker;
    this.ctx = ctx;
    this.stopTimeout = stopTimeout;
  }

  void start(String id, String label) {
    ctx.action("start " + label);
    docker.run("start container " + label, () -> docker.client().startContainerCmd(id).exec());
  }

  void stop(String id, String label) {
    var c = docker.findContainer(id);
    if (c.isEmpty() || !Boolean.TRUE.equals(c.get().getState().getRunning())) {
      return;
    }
    ctx.action("stop " + label + " (timeout " + stopTimeout.toSeconds() + " s)");
    try {
      docker.run("stop container " + label, () -> docker.client().stopContainerCmd(id)
          .withTimeout((int) Math.max(0, stopTimeout.toSeconds())).exec());
    } catch (DockerCallException e) {
      if (e.status() != 304) {
        throw e;
      }
    }
  }

  void stopAndRemove(String id, String label) {
    remove(id, label, false);
  }

  /** Also removes its anonymous volumes: for a container this run created, whose volumes hold nothing older. */
  void stopAndRemoveWithAnonymousVolumes(String id, String label) {
    remove(id, label, true);
  }

  private void remove(String id, String label, boolean anonymousVolumes) {
    stop(id, label);
    ctx.action("remove " + label + (anonymousVolumes ? " and its anonymous volumes" : ""));
    try {
      docker.run("remove container " + label, () -> docker.client().removeContainerCmd(id).withForce(true)
          .withRemoveVolumes(anonymousVolumes).exec());
    } catch (DockerCallException e) {
      if (e.status() != 404) {
        throw e;
      }
    }
  }

  void rename(String id, String from, String to) {
    ctx.action("rename " + from + " to " + to);
    docker.run("rename container " + from + " to " + to, () -> docker.client().renameContainerCmd(id).withName(to)
        .exec());
  }
}
