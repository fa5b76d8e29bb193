package dev.rollback.lock;

import dev.rollback.StateDirectory;
import java.nio.file.LinkOption;

import dev.rollback.RollbackException;
import dev.rollback.RollbackInProgressException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link TargetLock} on local files: an OS lock on {@code <dir>/<target>.lock}, whose content names the holder.
 * The OS releases the lock when the holding process dies, so this lock is never stale; the file stays (deleting
 * lock files races with other takers). Within one JVM a map guards the same file, since OS locks are per process.
 */
final class FileTargetLock implements TargetLock {
  private static final Map<Path, LockHolder> HELD_IN_JVM = new ConcurrentHashMap<>();
  private final Path dir;

  FileTargetLock(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  @Override
  public LockHandle acquire(String target, LockHolder holder) {
    Path file = fileOf(target);
    LockHolder prev = HELD_IN_JVM.putIfAbsent(file, holder);
    if (prev != null) {
      throw new RollbackInProgressException(target, prev, file.toString());
    }
    FileChannel ch = null;
    try {
      StateDirectory.ensurePrivateDir(dir, "the lock directory");
      StateDirectory.requirePrivate(file, "the lock file of " + target);
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        LockHolder other = readHolder(file).orElse(null);
        ch.close();
        throw new RollbackInProgressException(target, other, file.toString());
      }
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((holder.toLine() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      ch.force(true);
      return new Handle(file, ch, lock, holder);
    } catch (IOException e) {
      HELD_IN_JVM.remove(file, holder);
      closeQuietly(ch);
      throw new RollbackException("cannot take the lock " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      HELD_IN_JVM.remove(file, holder);
      throw e;
    }
  }

  @Override
  public Optional<LockHolder> holder(String target) {
    Path file = fileOf(target);
    LockHolder inJvm = HELD_IN_JVM.get(file);
    if (inJvm != null) {
      return Optional.of(inJvm);
    }
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock probe = ch.tryLock();
      if (probe != null) {
        probe.release();
        return Optional.empty();
      }
      return readHolder(file);
    } catch (IOException | OverlappingFileLockException e) {
      return readHolder(file);
    }
  }

  /** An OS file lock dies with its process: there is never a stale one to break. */
  @Override
  public boolean breakIfStale(String target) {
    return false;
  }

  /** Forgets this JVM's claim; an OS lock held by another live process cannot be broken from here. */
  @Override
  public void forceBreak(String target) {
    HELD_IN_JVM.remove(fileOf(target));
  }

  @Override
  public String describe() {
    return "file locks in " + dir;
  }

  private Path fileOf(String target) {
    return dir.resolve(LockNames.check(target) + ".lock");
  }

  private static Optional<LockHolder> readHolder(Path file) {
    try {
      return Optional.ofNullable(LockHolder.parse(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // closing a channel we failed to use
      }
    }
  }

  private static final class Handle implements LockHandle {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final LockHolder holder;
    private boolean released;

    Handle(Path file, FileChannel channel, FileLock lock, LockHolder holder) {
      this.file = file;
      this.channel = channel;
      this.lock = lock;
      this.holder = holder;
    }

    @Override
    public LockHolder holder() {
      return holder;
    }

    @Override
    public synchronized void close() {
      if (released) {
        return;
      }
      released = true;
      try {
        channel.truncate(0);
        lock.release();
      } catch (IOException ignored) {
        // closing the channel below releases the lock anyway
      } finally {
        closeQuietly(channel);
        HELD_IN_JVM.remove(file, holder);
      }
    }
  }
}
