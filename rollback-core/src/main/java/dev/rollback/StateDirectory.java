package dev.rollback;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import java.util.Set;

/**
 * Where the SDK keeps what must outlive the process running a rollback (the default journal and locks), and the
 * checks every such path passes before it is trusted.
 *
 * <p>The default directory is {@code $XDG_STATE_HOME/rollback} when {@code XDG_STATE_HOME} is set to an absolute
 * path, else {@code ~/.local/state/rollback}: per user, private ({@code 0700}), and it survives a reboot, unlike the
 * shared {@code java.io.tmpdir}, where another user could plant a symlink or a forged journal.
 *
 * <p>{@link #requirePrivate} refuses, with a message that says what to do, a path that is a symbolic link, a file
 * or directory owned by another user (root's are accepted), or one that other users may write: a journal others can
 * write can be forged to make a later {@code recover} restore the wrong state, and a lock others can replace stops
 * being a lock.
 */
public final class StateDirectory {
  private static final Set<PosixFilePermission> OTHERS_WRITE = Set.of(PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.OTHERS_WRITE);

  private StateDirectory() {}

  /**
   * The default state directory for this user (not created here).
   *
   * @return {@code $XDG_STATE_HOME/rollback}, else {@code ~/.local/state/rollback}
   */
  public static Path defaultDir() {
    return defaultDir(System.getenv(), System.getProperty("user.home"));
  }

  static Path defaultDir(Map<String, String> env, String home) {
    String xdg = env.get("XDG_STATE_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "rollback");
    }
    return Path.of(home, ".local", "state", "rollback");
  }

  /**
   * Makes a directory for state (with its missing parents), private to this user ({@code 0700}) when it is new, and
   * checks it with {@link #requirePrivate}.
   *
   * @param dir the directory
   * @param what what it holds, for messages, e.g. {@code the journal's directory}
   * @return the directory
   * @throws RollbackException when it cannot be made or is not private
   */
  public static Path ensurePrivateDir(Path dir, String what) {
    Path d = dir.toAbsolutePath().normalize();
    try {
      if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(d)) {
        Path parent = d.getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        try {
          Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException raced) {
          // made by another process meanwhile: the checks below decide whether it can be trusted
        } catch (UnsupportedOperationException notPosix) {
          Files.createDirectories(d);
        }
      }
    } catch (IOException e) {
      throw new RollbackException("cannot create " + what + " " + d + ": " + e.getMessage(), e);
    }
    requirePrivate(d, what);
    return d;
  }

  /**
   * Checks a state path (a journal file, a lock directory or file) and, when it is a file, the directory holding
   * it: neither may be a symbolic link, owned by another user than this process's or root, or writable by group or
   * others. A path that does not exist yet passes (its directory is checked). On a file system without POSIX
   * permissions only the symbolic-link check applies.
   *
   * @param path the path
   * @param what what it is, for messages, e.g. {@code the journal}
   * @throws UntrustedPathException saying which path fails which rule, and how to fix it
   */
  public static void requirePrivate(Path path, String what) {
    Path p = path.toAbsolutePath().normalize();
    check(p, what);
    Path parent = p.getParent();
    // a file, or one not made yet: whoever can write its directory can replace it (check skips a missing parent)
    if (parent != null && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      check(parent, "the directory of " + what);
    }
  }

  private static void check(Path p, String what) {
    if (Files.isSymbolicLink(p)) {
      throw new UntrustedPathException(what + " " + p + " is a symbolic link: refusing to follow it (another user could"
          + " point it anywhere); use the real path, in a directory only you can write");
    }
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      return;
    }
    PosixFileAttributes a;
    UserPrincipal me;
    try {
      a = view.readAttributes();
      me = p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
    } catch (IOException | UnsupportedOperationException e) {
      return; // the owner cannot be told here: the permission check below still applies where it can
    }
    String owner = a.owner().getName();
    if (!a.owner().equals(me) && !"root".equals(owner)) {
      throw new UntrustedPathException(what + " " + p + " belongs to " + owner + ", not to " + me.getName()
          + ": another user could forge or replace it; use a path of your own (default: " + defaultDir() + ")");
    }
    Set<PosixFilePermission> perms = a.permissions();
    boolean othersWrite = perms.stream().anyMatch(OTHERS_WRITE::contains);
    // only a directory can be sticky, so a file others can write is always refused here
    boolean sticky = a.isDirectory() && stickyBit(p);
    if (othersWrite && !sticky) {
      throw new UntrustedPathException(what + " " + p + " is writable by other users ("
          + PosixFilePermissions.toString(perms) + "): they could forge or replace it; chmod go-w " + p
          + " or use a directory only you can write (default: " + defaultDir() + ")");
    }
  }

  private static boolean stickyBit(Path p) {
    try {
      Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return mode instanceof Integer m && (m & 01000) != 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }
}
