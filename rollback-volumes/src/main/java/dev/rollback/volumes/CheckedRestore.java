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
 * start; an empty target ({@link VolumeSource#fillIfEmpty}) is unpacked meanwhile, every entry checked as it is
 * unpacked, and emptied again if either check fails; a target that holds something is touched only once the
 * checksum and every entry ({@link TarEntryCheck}) have passed.
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
      String again = target.describe() + " was empty before and was emptied again";
      TarEntryCheck.Refused refused = cause(e, TarEntryCheck.Refused.class);
      if (refused != null) {
        UnsafeArchiveException unsafe = VolumeArchive.unsafe(archive, refused, again);
        for (Throwable s : e.getSuppressed()) {
          unsafe.addSuppressed(s);
        }
        throw unsafe;
      }
      TarEntryCheck.Truncated truncated = cause(e, TarEntryCheck.Truncated.class);
      if (truncated != null) {
        ArchiveIntegrityException broken = new ArchiveIntegrityException("archive " + archive + " cannot be read as "
            + "a tar stream: " + truncated.getMessage() + "; " + again + ". Use another archive", e);
        throw broken;
      }
      throw new VolumeException(e.getMessage() + "; " + again, e);
    }
    if (filled) {
      return emptiedIfBad(check, target, null);
    }
    // the entries are checked here while the checksum thread goes on: a bad archive fails before the target is
    // touched, and one that does not match its manifest says that rather than what its entries look like
    try {
      VolumeArchive.checkEntries(archive);
    } catch (ArchiveIntegrityException unsafe) {
      awaitQuietlyThenThrow(check, unsafe);
    }
    ArchiveManifest m = await(check);
    VolumeArchive.restoreVerified(archive, target);
    return m;
  }

  /** Throws the checksum's failure if there is one, else {@code e}. */
  private static void awaitQuietlyThenThrow(CompletableFuture<ArchiveManifest> check, ArchiveIntegrityException e) {
    await(check);
    throw e;
  }

  /** The first of a failure's causes (itself included) of a type, or null. */
  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
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
        check.complete(VolumeArchive.checksum(archive));
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
