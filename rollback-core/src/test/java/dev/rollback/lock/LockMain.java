package dev.rollback.lock;

import java.nio.file.Path;

/** Child JVM: takes a file lock, prints LOCKED, holds it until stdin closes. */
public final class LockMain {
  private LockMain() {}

  public static void main(String[] args) throws Exception {
    TargetLock lock = TargetLock.inDirectory(Path.of(args[0]));
    try (LockHandle h = lock.acquire(args[1], LockHolder.current("child-run"))) {
      System.out.println("LOCKED " + ProcessHandle.current().pid());
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold until the parent closes our stdin
      }
    }
    System.out.println("RELEASED");
  }
}
