package dev.rollback.volumes;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Tar plumbing shared by the sources and the archive: name re-rooting, header copies, the writer's settings. */
final class TarEntries {
  /** PAX keys the entry's own fields carry; anything else (xattrs) is copied as is. */
  private static final Set<String> FIELD_KEYS = Set.of("path", "linkpath", "size", "uid", "gid", "uname", "gname",
      "mtime", "atime", "ctime", "SCHILY.devmajor", "SCHILY.devminor");

  private TarEntries() {}

  /**
   * A name relative to the root: no leading {@code /} or {@code ./}, never {@code ..}.
   *
   * @param raw the name as found
   * @return the relative name, empty for the root itself
   * @throws IOException when the name climbs out of the root
   */
  static String relative(String raw) throws IOException {
    String n = raw;
    while (n.startsWith("/")) {
      n = n.substring(1);
    }
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    if (n.equals(".")) {
      n = "";
    }
    for (String part : n.split("/")) {
      if (part.equals("..")) {
        throw new IOException("tar entry '" + raw + "' climbs out of the root; refusing the stream");
      }
    }
    return n;
  }

  /**
   * A copy of a header under a new name, with the mtime at whole seconds (no per-entry PAX time records).
   *
   * @param src the header read
   * @param name its relative name
   * @return the header to write
   * @throws IOException when a hard link's target climbs out of the root
   */
  static TarArchiveEntry copy(TarArchiveEntry src, String name) throws IOException {
    String n = src.isDirectory() && !name.endsWith("/") ? name + "/" : name;
    // a directory is written as one whatever its header said (an old-style file entry whose name ends in '/')
    TarArchiveEntry e = new TarArchiveEntry(n, src.isDirectory() ? TarConstants.LF_DIR : src.getLinkFlag(), true);
    e.setMode(src.getMode() & 07777);
    e.setUserId(src.getLongUserId());
    e.setGroupId(src.getLongGroupId());
    e.setUserName(src.getUserName());
    e.setGroupName(src.getGroupName());
    e.setModTime(FileTime.fromMillis(src.getModTime().getTime() / 1000 * 1000));
    if (regular(src)) {
      e.setSize(src.getSize());
    }
    if (src.isSymbolicLink()) {
      e.setLinkName(src.getLinkName());
    } else if (src.isLink()) {
      e.setLinkName(relative(src.getLinkName()));
    }
    if (src.isCharacterDevice() || src.isBlockDevice()) {
      e.setDevMajor(src.getDevMajor());
      e.setDevMinor(src.getDevMinor());
    }
    for (Map.Entry<String, String> h : src.getExtraPaxHeaders().entrySet()) {
      if (!FIELD_KEYS.contains(h.getKey())) {
        e.addPaxHeader(h.getKey(), h.getValue());
      }
    }
    return e;
  }

  /**
   * Whether an entry carries content: a regular file (commons-compress's {@code isFile()} is also true for symlinks
   * and hard links).
   *
   * @param e the header
   * @return true for a regular file
   */
  static boolean regular(TarArchiveEntry e) {
    byte f = e.getLinkFlag();
    return f == TarConstants.LF_NORMAL || f == TarConstants.LF_OLDNORM || f == TarConstants.LF_CONTIG;
  }

  /**
   * Reads a tar stream and hands every entry but the root to the sink under its relative name.
   *
   * @param tar the uncompressed stream; read to its end, not closed
   * @param sink the receiver
   * @param restorable only regular files, directories, symlinks and hard links (a backup: devices and FIFOs do not
   *     belong in a data volume, and a restore refuses them); false for every entry
   * @throws IOException when the stream is not tar or the sink fails
   */
  static void forEach(InputStream tar, TarEntrySink sink, boolean restorable) throws IOException {
    TarArchiveInputStream in = new TarArchiveInputStream(tar, "UTF-8");
    TarArchiveEntry e;
    while ((e = in.getNextEntry()) != null) {
      String name = relative(e.getName());
      if (name.isEmpty() || name.equals("/")) {
        continue;
      }
      if (restorable && !e.isDirectory() && !e.isSymbolicLink() && !e.isLink() && !regular(e)) {
        continue;
      }
      sink.accept(copy(e, name), in);
    }
    // the two zero records and the record padding: leave the stream at its true end for checksums
    in.transferTo(OutputStream.nullOutputStream());
    tar.transferTo(OutputStream.nullOutputStream());
  }

  /**
   * A writer with PAX headers for long and non-ASCII names and big numbers (uid/gid, sizes over 8 GiB).
   *
   * @param out where the tar goes; closed with the writer
   * @return the writer
   */
  static TarArchiveOutputStream writer(OutputStream out) {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out, TarConstants.DEFAULT_BLKSIZE,
        java.nio.charset.StandardCharsets.UTF_8.name());
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    return tar;
  }
}
