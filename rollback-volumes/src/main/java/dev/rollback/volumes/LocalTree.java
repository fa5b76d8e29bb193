package dev.rollback.volumes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** A directory on this machine walked into tar entries, emptied, and unpacked into (as root: owners kept). */
final class LocalTree {
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
  private static final String ATTRS = "unix:mode,uid,gid,size,lastModifiedTime,ino,dev,nlink";
  private static final int COPY_BUFFER = 1 << 18;

  private LocalTree() {}

  /** Walks {@code root} (not following symlinks) into the sink; sockets, FIFOs and devices are skipped. */
  static void export(Path root, TarEntrySink sink) throws IOException {
    Map<List<Object>, String> seen = new HashMap<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) throws IOException {
        if (!dir.equals(root)) {
          emit(dir, a);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
        emit(file, a);
        return FileVisitResult.CONTINUE;
      }

      private void emit(Path p, BasicFileAttributes basic) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, ATTRS, NOFOLLOW);
        String name = root.relativize(p).toString().replace(java.io.File.separatorChar, '/');
        int mode = (Integer) a.get("mode");
        TarArchiveEntry e;
        if (basic.isDirectory()) {
          e = new TarArchiveEntry(name + "/", TarConstants.LF_DIR, true);
        } else if (basic.isSymbolicLink()) {
          e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
          e.setLinkName(Files.readSymbolicLink(p).toString());
        } else if (basic.isRegularFile()) {
          List<Object> inode = List.of(a.get("dev"), a.get("ino"));
          String first = (Integer) a.get("nlink") > 1 ? seen.putIfAbsent(inode, name) : null;
          if (first != null) {
            e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
            e.setLinkName(first);
          } else {
            e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
            e.setSize((Long) a.get("size"));
          }
        } else {
          return; // sockets, FIFOs and device nodes do not belong in a data volume
        }
        e.setMode(mode & 07777);
        e.setUserId((Integer) a.get("uid"));
        e.setGroupId((Integer) a.get("gid"));
        e.setModTime(FileTime.fromMillis(((FileTime) a.get("lastModifiedTime")).toMillis() / 1000 * 1000));
        if (TarEntries.regular(e)) {
          try (InputStream in = Files.newInputStream(p)) {
            sink.accept(e, in);
          }
        } else {
          sink.accept(e, InputStream.nullInputStream());
        }
      }
    });
  }

  /** @return true when {@code root} is a directory with no entries */
  static boolean isEmpty(Path root) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      return !entries.iterator().hasNext();
    }
  }

  /** Deletes everything under {@code root}, keeping root itself; symlinks are deleted, never followed. */
  static void clear(Path root) throws IOException {
    try (var children = Files.list(root)) {
      for (Path c : (Iterable<Path>) children::iterator) {
        if (Files.isDirectory(c, NOFOLLOW)) {
          Files.walkFileTree(c, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
              Files.delete(f);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              if (e != null) {
                throw e;
              }
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
        } else {
          Files.delete(c);
        }
      }
    }
  }

  /**
   * Unpacks a tar stream under {@code root}; directory modes and mtimes are set last, deepest first. Every entry
   * passes {@link TarEntryCheck} before anything is written for it, and, should a symlink be in the way anyway (one
   * the target held already), no path is ever resolved through it: every directory on the way is made with
   * {@code mkdir} or found by {@code lstat} to be a real directory, and files are created exclusively.
   *
   * @throws TarEntryCheck.Refused when an entry must not be unpacked (nothing was written for it)
   */
  static void extract(InputStream tar, Path root) throws IOException {
    Path base = root.toAbsolutePath().normalize();
    TarArchiveInputStream in = new TarArchiveInputStream(tar, "UTF-8");
    TarEntryCheck check = new TarEntryCheck();
    List<TarArchiveEntry> dirs = new ArrayList<>();
    // real directories under base, made here or found by lstat: a path under them never crosses a symlink, since no
    // entry can turn a directory into one (TarEntryCheck refuses it, and createSymbolicLink never replaces anything)
    Set<Path> real = new HashSet<>();
    real.add(base);
    byte[] buf = new byte[COPY_BUFFER];
    TarArchiveEntry e;
    while ((e = in.getNextEntry()) != null) {
      String name = check.accept(e);
      if (name.isEmpty()) {
        continue;
      }
      Path p = base.resolve(name);
      if (!p.normalize().startsWith(base) || p.equals(base)) {
        throw new TarEntryCheck.Refused(e.getName(), "points outside " + base);
      }
      realDirectory(base, p.getParent(), real, e.getName(), true);
      if (e.isDirectory()) {
        realDirectory(base, p, real, e.getName(), true);
        dirs.add(TarEntries.copy(e, name));
        continue;
      } else if (e.isSymbolicLink()) {
        Files.createSymbolicLink(p, Path.of(e.getLinkName()));
      } else if (e.isLink()) {
        Files.createLink(p, linkTarget(base, e, real));
        continue;
      } else {
        write(in, e, p, buf); // TarEntryCheck let only regular files through here
      }
      setOwner(p, e);
      if (!e.isSymbolicLink()) {
        // p was created exclusively just now: it is the file itself, not a symlink
        Files.setAttribute(p, "unix:mode", e.getMode() & 07777);
        Files.setLastModifiedTime(p, FileTime.fromMillis(e.getModTime().getTime()));
      }
    }
    for (int i = dirs.size() - 1; i >= 0; i--) {
      TarArchiveEntry d = dirs.get(i);
      Path p = base.resolve(d.getName());
      setOwner(p, d);
      Files.setAttribute(p, "unix:mode", d.getMode() & 07777, NOFOLLOW);
      Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW)
          .setTimes(FileTime.fromMillis(d.getModTime().getTime()), null, null);
    }
  }

  /**
   * Makes sure {@code dir}, under {@code base}, is a real directory: each missing one on the way is made with
   * {@code mkdir} (when {@code create}), each existing one must be a directory by {@code lstat}, never a symlink.
   */
  private static void realDirectory(Path base, Path dir, Set<Path> real, String entry, boolean create)
      throws IOException {
    if (real.contains(dir)) {
      return;
    }
    Path cur = base;
    for (Path part : base.relativize(dir)) {
      cur = cur.resolve(part);
      if (real.contains(cur)) {
        continue;
      }
      if (create) {
        try {
          Files.createDirectory(cur); // mkdir: never follows a symlink at cur, fails on it instead
          real.add(cur);
          continue;
        } catch (FileAlreadyExistsException exists) {
          // look at what is there
        }
      }
      BasicFileAttributes a = Files.readAttributes(cur, BasicFileAttributes.class, NOFOLLOW);
      if (a.isSymbolicLink()) {
        throw new TarEntryCheck.Refused(entry, "would be written through the symlink '" + base.relativize(cur)
            + "' (-> " + Files.readSymbolicLink(cur) + ") in " + base);
      }
      if (!a.isDirectory()) {
        throw new IOException("tar entry '" + TarEntryCheck.printable(entry) + "' needs '" + base.relativize(cur)
            + "' in " + base + " to be a directory, but an earlier entry made it a file");
      }
      real.add(cur);
    }
  }

  /** A hard link's target: an existing file under {@code base}, reached through real directories only. */
  private static Path linkTarget(Path base, TarArchiveEntry e, Set<Path> real) throws IOException {
    Path target = base.resolve(TarEntries.relative(e.getLinkName()));
    if (!target.normalize().startsWith(base) || target.equals(base)) {
      throw new TarEntryCheck.Refused(e.getName(), "is a hard link pointing outside " + base);
    }
    try {
      realDirectory(base, target.getParent(), real, e.getName(), false);
      if (Files.readAttributes(target, BasicFileAttributes.class, NOFOLLOW).isSymbolicLink()) {
        throw new TarEntryCheck.Refused(e.getName(), "is a hard link to the symlink '" + e.getLinkName() + "'");
      }
    } catch (java.nio.file.NoSuchFileException missing) {
      throw new IOException("tar entry '" + TarEntryCheck.printable(e.getName()) + "' is a hard link to '"
          + e.getLinkName() + "', which no earlier entry made", missing);
    }
    return target;
  }

  /**
   * Writes an entry's content to a new file. The file is created exclusively (a symlink at that path is never
   * followed); a path the stream already wrote, or that exists, is deleted and created again, as
   * {@code Files.copy(in, p, REPLACE_EXISTING)} would, but without a failed unlink for every new file and with a
   * buffer 32 times larger than its 8 KiB.
   */
  private static void write(TarArchiveInputStream in, TarArchiveEntry e, Path p, byte[] buf) throws IOException {
    try (OutputStream out = create(p)) {
      TarEntryCheck.copyContent(in, e, buf, out);
    }
  }


  private static OutputStream create(Path p) throws IOException {
    try {
      return Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW);
    } catch (FileAlreadyExistsException exists) {
      Files.delete(p); // unlinks what is there (a symlink included), never follows it
      return Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW);
    }
  }

  private static void setOwner(Path p, TarArchiveEntry e) throws IOException {
    try {
      Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), NOFOLLOW);
      Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), NOFOLLOW);
    } catch (java.nio.file.FileSystemException denied) {
      // not root: the files stay owned by this user, as with tar run by a non-root user
    }
  }
}
