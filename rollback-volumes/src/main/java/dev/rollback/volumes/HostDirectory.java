package dev.rollback.volumes;

import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A directory: on this machine ({@link #local(Path)}), walked and unpacked in-process, or on another host
 * ({@link #remote(Executor, String)}), streamed through that host's {@code tar} over the executor (an
 * {@code SshExecutor}, a {@code DockerExecExecutor}).
 *
 * <p>Owners are kept when restoring as root (locally, or {@code tar -p --numeric-owner} remotely); a non-root
 * restore leaves files owned by the user running it, as {@code tar} does. Sockets, FIFOs and device nodes are
 * skipped when backing up. Restoring, every entry passes {@link TarEntryCheck} before it is written (locally) or
 * sent to the remote {@code tar} (which gets the checked entries written again, never the archive's own bytes).
 *
 * <pre>{@code
 * VolumeArchive.create(HostDirectory.local(Path.of("/srv/uploads")), Path.of("/backups/uploads.tar.gz"),
 *     Compression.gzip());
 * try (Executor host = LocalExecutor.create()) { // or an SSH executor, a DockerExecExecutor
 *   VolumeArchive.restore(Path.of("/backups/uploads.tar.gz"), HostDirectory.remote(host, "/srv/uploads"));
 * }
 * }</pre>
 */
public final class HostDirectory implements VolumeSource {
  private static final int PIPE = 1 << 20;
  private final Path local;
  private final Executor executor;
  private final String remote;

  private HostDirectory(Path local, Executor executor, String remote) {
    this.local = local;
    this.executor = executor;
    this.remote = remote;
  }

  /**
   * A directory on this machine.
   *
   * @param dir the directory
   * @return the source
   */
  public static HostDirectory local(Path dir) {
    return new HostDirectory(dir.toAbsolutePath().normalize(), null, null);
  }

  /**
   * A directory on the executor's host, read with {@code tar -cf -} and written with {@code tar -xpf -}.
   *
   * @param executor where the directory is (the host needs GNU or busybox tar, find and rm)
   * @param dir an absolute POSIX path there
   * @return the source
   * @throws IllegalArgumentException when the path is not absolute or is {@code /}
   */
  public static HostDirectory remote(Executor executor, String dir) {
    Objects.requireNonNull(executor, "executor");
    if (dir == null || !dir.startsWith("/") || dir.replace("/", "").isEmpty()) {
      throw new IllegalArgumentException("a remote directory must be an absolute path other than /, was '" + dir
          + "'");
    }
    return new HostDirectory(null, executor, dir);
  }

  @Override
  public String name() {
    String n = local != null ? String.valueOf(local.getFileName()) : remote.replaceAll("/+$", "")
        .substring(remote.replaceAll("/+$", "").lastIndexOf('/') + 1);
    String clean = n.replaceAll("[^A-Za-z0-9._-]", "_");
    return clean.isEmpty() || clean.equals("null") ? "root" : clean;
  }

  @Override
  public String describe() {
    return local != null ? "directory " + local : "directory " + remote + " on " + executor.describe();
  }

  @Override
  public boolean exists() {
    if (local != null) {
      return Files.isDirectory(local);
    }
    return executor.run(Command.of("test", "-d", remote).readOnly()).succeeded();
  }

  @Override
  public void exportTo(TarEntrySink sink) {
    requireExists("back up");
    if (local != null) {
      try {
        LocalTree.export(local, sink);
      } catch (IOException | UncheckedIOException e) {
        throw new VolumeException("reading " + describe() + " failed: " + e.getMessage(), e);
      }
      return;
    }
    Command tar = Command.of("tar", "-C", remote, "--numeric-owner", "-cf", "-", ".").readOnly();
    try (PipedInputStream in = new PipedInputStream(PIPE)) {
      PipedOutputStream out = new PipedOutputStream(in);
      CompletableFuture<ExecResult> run = CompletableFuture.supplyAsync(() -> {
        try (out) {
          return executor.run(tar.withStdout(out));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      try {
        TarEntries.forEach(in, sink, true);
      } catch (IOException e) {
        in.close(); // unblocks the writer
        run.exceptionally(t -> null).join();
        throw e;
      }
      run.get().requireSuccess();
    } catch (IOException | InterruptedException | ExecutionException | RuntimeException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new VolumeException("reading " + describe() + " with `" + tar.display() + "` failed: " + e.getMessage(),
          e);
    }
  }

  @Override
  public void replaceWith(InputStream tar) {
    requireExists("restore into");
    if (local != null) {
      try {
        LocalTree.clear(local);
        LocalTree.extract(tar, local);
      } catch (IOException | UncheckedIOException e) {
        throw new VolumeException("restoring into " + describe() + " failed: " + e.getMessage()
            + "; the directory may be partly restored", e);
      }
      return;
    }
    Command clear = Command.of(List.of("find", remote, "-mindepth", "1", "-maxdepth", "1", "-exec", "rm", "-rf",
        "{}", "+"));
    executor.run(clear).requireSuccess();
    // the remote tar gets the stream as TarEntryCheck passed it, written again: a refused entry never reaches it
    CheckedTarStream checked = new CheckedTarStream(tar);
    Command untar = Command.of("tar", "-C", remote, "--numeric-owner", "-xpf", "-")
        .withStdin(() -> checked, "the archive's tar stream");
    try {
      executor.run(untar).requireSuccess();
    } catch (RuntimeException e) {
      TarEntryCheck.Refused refused = checked.refusal();
      if (refused != null) {
        throw new VolumeException("restoring into " + describe() + " failed: " + refused.getMessage()
            + "; it was not sent, but the entries before it were: the directory may be partly restored", refused);
      }
      throw e;
    }
    if (checked.refusal() != null) {
      throw new VolumeException("restoring into " + describe() + " failed: " + checked.refusal().getMessage()
          + "; it was not sent, but the entries before it were: the directory may be partly restored",
          checked.refusal());
    }
  }

  /**
   * {@inheritDoc} A local directory is unpacked in-process when empty; a remote one always returns false (a restore
   * then verifies the archive first and calls {@link #replaceWith}).
   */
  @Override
  public boolean fillIfEmpty(InputStream tar) {
    if (local == null) {
      return false;
    }
    requireExists("restore into");
    try {
      if (!LocalTree.isEmpty(local)) {
        return false;
      }
      LocalTree.extract(tar, local);
      return true;
    } catch (IOException | UncheckedIOException e) {
      throw new VolumeException("restoring into " + describe() + " failed: " + e.getMessage()
          + "; the directory may be partly restored", e);
    }
  }

  private void requireExists(String verb) {
    if (!exists()) {
      throw new VolumeException("cannot " + verb + " " + describe() + ": no such directory; create it or check the "
          + "path");
    }
  }
}
