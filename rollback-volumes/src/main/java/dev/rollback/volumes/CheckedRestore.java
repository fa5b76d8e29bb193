package dev.rollback.volumes;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link VolumeArchive#restore}'s order of work: the archive's checksum is checked on its own thread from the
 * start; an empty target ({@link VolumeSource#fillIfEmpty}) is unpacked meanwhile and emptied again if the check
 * fails, and a target that holds something is touched only once the check has passed.
 */
final class CheckedRestore {
  private static final AtomicInteger VERIFIERS = new AtomicInteger();

  private CheckedRestore() {}

  /**
   * Restores an archive whose manifest exists and names it.
   *
   * @param archive the archive
   * @param target what to restore into
   * @return the archive's manifest
   */
  static ArchiveManifest run(Path archive, VolumeSource target) {
    CompletableFuture<ArchiveManifest> check = verifyInBackground(archive);
    // the target reads the stream only once it found itself empty: a read means it is being filled
    AtomicBoolean read = new AtomicBoolean();
    boolean filled;
    try {
      filled = VolumeArchive.unpack(archive, target, tar -> target.fillIfEmpty(new ReadFlagStream(tar, read)));
    } catch (RuntimeException e) {
      if (!read.get()) {
        // nothing was written: the target's own failure (missing, unreadable) is the answer
        awaitQuietly(check, e);
        throw e;
      }
      emptiedIfBad(check, target, e);
      emptyAgain(target, e);
      throw new VolumeException(e.getMessage() + "; " + target.describe() + " was empty before and was emptied "
          + "again", e);
    }
    if (filled) {
      return emptiedIfBad(check, target, null);
    }
    ArchiveManifest m = await(check); // a bad archive fails here, before the target is touched
    VolumeArchive.restoreVerified(archive, target);
    return m;
  }

  /** Sets a flag on the first read or skip. */
  private static final class ReadFlagStream extends FilterInputStream {
    private final AtomicBoolean read;

    ReadFlagStream(InputStream in, AtomicBoolean read) {
      super(in);
      this.read = read;
    }

    @Override
    public int read() throws IOException {
      read.set(true);
      return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      read.set(true);
      return super.read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
      read.set(true);
      return super.skip(n);
    }
  }

  private static CompletableFuture<ArchiveManifest> verifyInBackground(Path archive) {
    CompletableFuture<ArchiveManifest> check = new CompletableFuture<>();
    Thread verifier = new Thread(() -> {
      try {
        check.complete(VolumeArchive.verify(archive));
      } catch (Throwable t) {
        check.completeExceptionally(t);
      }
    }, "rollback-verify-" + VERIFIERS.incrementAndGet());
    verifier.setDaemon(true);
    verifier.start();
    return check;
  }

  private static ArchiveManifest await(CompletableFuture<ArchiveManifest> check) {
    try {
      return check.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new VolumeException("verifying failed: " + e, e);
    }
  }

  private static void awaitQuietly(CompletableFuture<ArchiveManifest> check, RuntimeException into) {
    try {
      await(check);
    } catch (RuntimeException also) {
      into.addSuppressed(also);
    }
  }

  /** The check's manifest; when the archive is bad, the target (filled from empty) is emptied again first. */
  private static ArchiveManifest emptiedIfBad(CompletableFuture<ArchiveManifest> check, VolumeSource target,
      RuntimeException cause) {
    try {
      return await(check);
    } catch (ArchiveIntegrityException bad) {
      ArchiveIntegrityException out = new ArchiveIntegrityException(bad.getMessage().replace("nothing was changed",
          target.describe() + " was empty before and was emptied again"));
      if (cause != null) {
        out.addSuppressed(cause);
      }
      emptyAgain(target, out);
      throw out;
    }
  }

  /** Empties a target that was empty before a restore failed into it; a failure to do so is added to {@code e}. */
  private static void emptyAgain(VolumeSource target, RuntimeException e) {
    try {
      // two zero blocks: a tar stream without entries
      target.replaceWith(new ByteArrayInputStream(new byte[1024]));
    } catch (RuntimeException again) {
      e.addSuppressed(new VolumeException(target.describe() + " could not be emptied again and may hold part of "
          + "the archive: " + again.getMessage(), again));
    }
  }
}
