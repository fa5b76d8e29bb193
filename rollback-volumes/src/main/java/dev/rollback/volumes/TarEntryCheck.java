package dev.rollback.volumes;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The one check every unpack path runs over a tar stream's entries, in stream order and before anything is written
 * for an entry: an entry may only create something under the root, and never through a symlink an earlier entry
 * made. This is what GNU tar's delayed symlinks achieve; here an archive that tries it is refused instead.
 *
 * <p>Refused: absolute names; {@code ..} components; control characters (newline, tab, ...) in a name or link
 * target; anything but regular files, directories, symlinks and hard links (devices, FIFOs, sparse or unknown
 * types); an entry at or beneath a name an earlier entry made a symlink; a symlink or non-directory replacing a
 * directory an earlier entry made; a hard link whose target is absolute, climbs out, is a directory or symlink, or
 * lies beneath a symlink. Symlinks themselves may point anywhere (a volume legitimately holds {@code current ->
 * releases/1} or {@code /etc/hostname}), since nothing is ever written through them.
 *
 * <p>Not thread-safe: one instance per stream. It remembers the symlinks and directories seen so far.
 */
final class TarEntryCheck {
  private final Map<String, String> symlinks = new HashMap<>();
  private final Set<String> dirs = new HashSet<>();

  /** A refused entry: its name as found in the archive and why. */
  static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;
    private final String entry;
    private final String reason;

    Refused(String entry, String reason) {
      super("tar entry '" + printable(entry) + "' " + reason + "; refusing the archive");
      this.entry = entry;
      this.reason = reason;
    }

    /** @return the entry's name as found in the archive */
    String entry() {
      return entry;
    }

    /** @return why it was refused */
    String reason() {
      return reason;
    }
  }

  /** A stream that ends inside an entry's content: its header promised more bytes than the stream holds. */
  static final class Truncated extends java.io.EOFException {
    private static final long serialVersionUID = 1L;

    /**
     * @param entry the entry's name as found
     * @param size the size its header gives
     * @param cause the reader's own failure, or null
     */
    Truncated(String entry, long size, IOException cause) {
      super("the tar stream ends inside entry '" + printable(entry) + "', before the " + size
          + " bytes its header gives (truncated)");
      if (cause != null) {
        initCause(cause);
      }
    }
  }

  /**
   * Reads an entry's content into {@code out} (null: read and dropped), exactly as many bytes as its header gives.
   *
   * @param in the reader, at the entry's content
   * @param e the entry
   * @param buf a buffer
   * @param out where the bytes go, or null
   * @throws Truncated when the stream ends first
   * @throws IOException when {@code out} fails
   */
  static void copyContent(java.io.InputStream in, TarArchiveEntry e, byte[] buf, java.io.OutputStream out)
      throws IOException {
    long left = e.getSize();
    while (left > 0) {
      int n;
      try {
        n = in.read(buf, 0, (int) Math.min(buf.length, left));
      } catch (IOException failed) {
        throw truncation(failed) ? new Truncated(e.getName(), e.getSize(), failed) : failed;
      }
      if (n < 0) {
        throw new Truncated(e.getName(), e.getSize(), null);
      }
      if (out != null) {
        out.write(buf, 0, n);
      }
      left -= n;
    }
  }

  /** @return whether a reader's failure is the stream ending early (commons-compress says "Truncated TAR archive") */
  static boolean truncation(IOException e) {
    return e instanceof java.io.EOFException || String.valueOf(e.getMessage()).startsWith("Truncated TAR");
  }

  /**
   * Checks the next entry of the stream and remembers what it makes.
   *
   * @param e the header as read
   * @return the entry's name relative to the root, without {@code ./}, empty segments or a trailing {@code /};
   *     empty for the root directory itself (which callers skip)
   * @throws Refused when the entry must not be unpacked
   */
  String accept(TarArchiveEntry e) throws Refused {
    String raw = e.getName();
    String problem = problem(raw);
    if (problem != null) {
      throw new Refused(raw, problem);
    }
    String name = normalize(raw);
    boolean dir = e.isDirectory();
    if (!dir && !e.isSymbolicLink() && !e.isLink() && !TarEntries.regular(e)) {
      throw new Refused(raw, "is " + typeName(e) + "; only regular files, directories, symlinks and hard links "
          + "are restored");
    }
    if (name.isEmpty()) {
      if (!dir) {
        throw new Refused(raw, "is " + typeName(e) + " in place of the root directory itself");
      }
      return name;
    }
    String linkedAncestor = symlinkAtOrAbove(name, false);
    if (linkedAncestor != null) {
      throw new Refused(raw, "lies beneath '" + printable(linkedAncestor) + "', a symlink an earlier entry made (-> "
          + printable(symlinks.get(linkedAncestor)) + "): unpacking it would write through that symlink");
    }
    if (symlinks.containsKey(name)) {
      // a directory there would follow the link; for anything else unpackers disagree whether the link or the
      // entry wins (GNU tar puts its delayed link back over a later file)
      throw new Refused(raw, "is " + typeName(e) + " at the name of a symlink an earlier entry made (-> "
          + printable(symlinks.get(name)) + "): unpacking it could follow or keep that symlink");
    }
    if (dir) {
      dirs.add(name);
      return name;
    }
    if (dirs.contains(name)) {
      throw new Refused(raw, "is " + typeName(e) + " replacing the directory an earlier entry made");
    }
    if (e.isSymbolicLink()) {
      String target = e.getLinkName();
      if (target == null || target.isEmpty()) {
        throw new Refused(raw, "is a symlink without a target");
      }
      if (hasControl(target)) {
        throw new Refused(raw, "is a symlink whose target holds a control character (newline, tab, ...)");
      }
      symlinks.put(name, target);
    } else if (e.isLink()) {
      checkHardLinkTarget(raw, e.getLinkName());
    }
    return name;
  }

  private void checkHardLinkTarget(String raw, String linkName) throws Refused {
    if (linkName == null || linkName.isEmpty()) {
      throw new Refused(raw, "is a hard link without a target");
    }
    String problem = problem(linkName);
    if (problem != null) {
      throw new Refused(raw, "is a hard link to '" + printable(linkName) + "', whose name " + problem);
    }
    String target = normalize(linkName);
    if (target.isEmpty() || dirs.contains(target)) {
      throw new Refused(raw, "is a hard link to a directory ('" + printable(linkName) + "')");
    }
    String linked = symlinkAtOrAbove(target, true);
    if (linked != null) {
      throw new Refused(raw, "is a hard link to '" + printable(linkName) + "', which is or lies beneath the symlink '"
          + printable(linked) + "' an earlier entry made (-> " + printable(symlinks.get(linked)) + ")");
    }
  }

  /** The symlink among {@code name}'s ancestors (and {@code name} itself when {@code self}), or null. */
  private String symlinkAtOrAbove(String name, boolean self) {
    if (symlinks.isEmpty()) {
      return null;
    }
    for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
      String ancestor = name.substring(0, i);
      if (symlinks.containsKey(ancestor)) {
        return ancestor;
      }
    }
    return self && symlinks.containsKey(name) ? name : null;
  }

  /**
   * What is wrong with a name as found, or null when it stays under the root.
   *
   * @param raw the name (of an entry or a hard link's target)
   * @return e.g. {@code has a '..' component: it climbs out of the root}
   */
  private static String problem(String raw) {
    if (raw == null || raw.isEmpty()) {
      return "is empty";
    }
    if (hasControl(raw)) {
      return "holds a control character (newline, tab, ...)";
    }
    if (raw.startsWith("/")) {
      return "is an absolute path: it would be written outside the root";
    }
    for (String part : raw.split("/")) {
      if (part.equals("..")) {
        return "has a '..' component: it climbs out of the root";
      }
    }
    return null;
  }

  /** A name {@link #problem} passed: leading {@code ./}, empty and {@code .} segments, trailing {@code /} dropped. */
  private static String normalize(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    for (String part : raw.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(part);
    }
    return out.toString();
  }

  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  private static String typeName(TarArchiveEntry e) {
    switch (e.getLinkFlag()) {
      case TarConstants.LF_CHR:
        return "a character device";
      case TarConstants.LF_BLK:
        return "a block device";
      case TarConstants.LF_FIFO:
        return "a FIFO";
      case TarConstants.LF_SYMLINK:
        return "a symlink";
      case TarConstants.LF_LINK:
        return "a hard link";
      default:
        return TarEntries.regular(e) ? "a regular file"
            : "an entry of unsupported type '" + (char) e.getLinkFlag() + "'";
    }
  }

  /** A name for a message: control characters shown as {@code \n}, {@code \t}, {@code \xNN}. */
  static String printable(String s) {
    if (s == null || !hasControl(s)) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n') {
        b.append("\\n");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
