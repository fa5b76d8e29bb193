package dev.rollback.volumes;

import com.github.dockerjava.api.command.InspectVolumeResponse;
import dev.rollback.docker.Docker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a volume's directory on this host when reading or writing it directly is provably the same as going
 * through the Engine: the daemon is reached through a local unix socket, the volume is the {@code local} driver's
 * without mount options (an NFS or bind-type volume is mounted only while a container uses it), its mount point
 * is a directory this process may read (and write, for a restore), and the daemon's own stat of the volume root,
 * asked through the helper container, has the same permissions and the same modification time to the nanosecond
 * as that directory. The last check is what tells a daemon on this host from one whose socket was forwarded or
 * mounted into a container (a CI job with the host's docker.sock sees paths of another file system). A directory
 * proved once is remembered for its inode, so later calls on the same volume need no helper container.
 */
final class LocalMountpoint {
  private static final Pattern MODE = Pattern.compile("\"mode\"\\s*:\\s*(\\d+)");
  private static final Pattern MTIME = Pattern.compile("\"mtime\"\\s*:\\s*\"([^\"]+)\"");

  /** Directories proved to be a volume's, by {@link #key}; bounded, the least recently used dropped. */
  private static final Map<String, Boolean> VERIFIED = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 1024;
    }
  };

  private LocalMountpoint() {}

  /**
   * The volume's directory on this host if it could be the Engine's (local socket, local driver without options,
   * a directory this process may read and, to write, write); whether it is, {@link #verifiedBefore} or
   * {@link #verify} says.
   *
   * @param docker the daemon
   * @param volume the volume's name
   * @param write whether the caller will write into it
   * @return the directory, or empty when the Engine must be used
   */
  static Optional<Path> candidate(Docker docker, String volume, boolean write) {
    if (!"unix".equals(docker.host().getScheme())) {
      return Optional.empty();
    }
    try {
      InspectVolumeResponse v = docker.client().inspectVolumeCmd(volume).exec();
      if (!"local".equals(v.getDriver()) || (v.getOptions() != null && !v.getOptions().isEmpty())
          || v.getMountpoint() == null) {
        return Optional.empty();
      }
      Path dir = Path.of(v.getMountpoint());
      if (!Files.isDirectory(dir) || !Files.isReadable(dir) || !Files.isExecutable(dir)
          || (write && !Files.isWritable(dir))) {
        return Optional.empty();
      }
      return Optional.of(dir);
    } catch (RuntimeException e) {
      return Optional.empty(); // anything unclear: the Engine's way, which always works
    }
  }

  /**
   * @param docker the daemon
   * @param volume the volume's name
   * @param dir its {@link #candidate}
   * @return true when this process has already proved that directory, with its inode now, to be the volume's
   */
  static boolean verifiedBefore(Docker docker, String volume, Path dir) {
    String key = key(docker, volume, dir);
    synchronized (VERIFIED) {
      return key != null && VERIFIED.containsKey(key);
    }
  }

  /**
   * Proves a candidate directory to be the volume's by the daemon's stat of the volume root, asked through a
   * helper container that mounts it, and remembers the answer for this directory's inode.
   *
   * @param docker the daemon
   * @param volume the volume's name
   * @param helper a container (created, never started) that mounts the volume at {@code mount}
   * @param mount where the helper mounts it
   * @param dir the candidate
   * @return true when it is the same directory
   */
  static boolean verify(Docker docker, String volume, String helper, String mount, Path dir) {
    try {
      if (!sameAsTheEngines(EngineArchive.stat(docker.host(), helper, mount + "/."), dir)) {
        return false;
      }
    } catch (IOException | RuntimeException e) {
      return false;
    }
    String key = key(docker, volume, dir);
    if (key != null) {
      synchronized (VERIFIED) {
        VERIFIED.put(key, Boolean.TRUE);
      }
    }
    return true;
  }

  /** Daemon, volume, directory and the directory's inode: a volume removed and made again is proved again. */
  private static String key(Docker docker, String volume, Path dir) {
    try {
      Object inode = Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
      return inode == null ? null : docker.host() + "\0" + volume + "\0" + dir + "\0" + inode;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * @param stat the daemon's stat JSON of the volume root
   * @param dir the local directory
   * @return true when permissions and mtime (to the nanosecond) agree
   */
  static boolean sameAsTheEngines(String stat, Path dir) throws IOException {
    Matcher mode = MODE.matcher(stat);
    Matcher mtime = MTIME.matcher(stat);
    if (!mode.find() || !mtime.find()) {
      return false;
    }
    PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class);
    int perms = 0;
    for (PosixFilePermission p : a.permissions()) {
      perms |= 1 << (8 - p.ordinal());
    }
    Instant engine = OffsetDateTime.parse(mtime.group(1)).toInstant();
    return (Long.parseLong(mode.group(1)) & 0777) == perms && engine.equals(a.lastModifiedTime().toInstant());
  }
}
