package dev.rollback.internal;

import dev.rollback.RollbackException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** A temporary directory made on first use and deleted, with its contents, on request. Thread-safe. */
final class ScratchDir {
  private final String prefix;
  private Path dir;

  /** @param prefix the directory name's start */
  ScratchDir(String prefix) {
    this.prefix = prefix;
  }

  /** @return the directory, made now if it was not yet */
  synchronized Path get() {
    if (dir == null) {
      try {
        dir = Files.createTempDirectory(prefix);
      } catch (IOException e) {
        throw new RollbackException("cannot create a scratch directory: " + e.getMessage(), e);
      }
    }
    return dir;
  }

  /** Deletes the directory, if one was made; a directory left in the temp dir is harmless. */
  synchronized void delete() {
    if (dir == null) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException ignored) {
      // see above
    }
  }
}
