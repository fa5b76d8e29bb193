package dev.rollback.volumes;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Builds and lists local test trees. */
final class LocalTrees {
  private LocalTrees() {}

  /** Flips one bit of the byte in the middle of a file: a corrupted archive of the same size. */
  static void flipMiddleByte(Path file) throws IOException {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      long middle = f.length() / 2;
      f.seek(middle);
      int b = f.read();
      f.seek(middle);
      f.write(b ^ 0x10);
    }
  }

  /** Modes, owners (when root), symlinks, a hard link, empty dirs, non-ASCII names, a long path, mtimes. */
  static void tricky(Path root) throws IOException {
    Path dir = Files.createDirectories(root.resolve("dir"));
    Files.createDirectories(root.resolve("empty/nested-empty"));
    Path plain = Files.writeString(dir.resolve("plain.txt"), "hello\n");
    Files.setAttribute(plain, "unix:mode", 0640);
    Path setuid = Files.writeString(dir.resolve("setuid"), "#!/bin/sh\n");
    Files.setAttribute(setuid, "unix:mode", 04755);
    Files.createSymbolicLink(dir.resolve("relative-link"), Path.of("plain.txt"));
    Files.createSymbolicLink(root.resolve("dangling-link"), Path.of("missing"));
    Files.createLink(dir.resolve("hard-link"), plain);
    Path uni = Files.createDirectories(root.resolve("ünïcödé-目录"));
    Files.writeString(uni.resolve("файл.txt"), "файл\n");
    Path deep = Files.createDirectories(root.resolve(TreeScripts.LONG).resolve(TreeScripts.LONG));
    Files.writeString(deep.resolve("f".repeat(80) + ".txt"), "deep\n");
    byte[] big = new byte[3 << 20];
    new java.util.Random(7).nextBytes(big);
    Files.write(root.resolve("big.bin"), big);
    Files.setLastModifiedTime(plain, FileTime.fromMillis(981_173_106_000L));
    Files.setAttribute(root.resolve("empty/nested-empty"), "unix:mode", 0700);
    if ("root".equals(System.getProperty("user.name"))) {
      Files.setAttribute(plain, "unix:uid", 1001);
      Files.setAttribute(plain, "unix:gid", 1002);
      Files.setAttribute(root.resolve("dangling-link"), "unix:uid", 33, LinkOption.NOFOLLOW_LINKS);
    }
  }

  /** @return one sorted line per entry: path, mode, owner, size, mtime, links and sha256 (files) or target */
  static List<String> listing(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root)).sorted().map(p -> line(root, p)).toList();
    }
  }

  private static String line(Path root, Path p) {
    try {
      Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,nlink",
          LinkOption.NOFOLLOW_LINKS);
      String base = root.relativize(p) + "|" + Integer.toOctalString((Integer) a.get("mode")) + "|" + a.get("uid")
          + "|" + a.get("gid");
      if (Files.isSymbolicLink(p)) {
        return base + "|-> " + Files.readSymbolicLink(p);
      }
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        return base;
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (InputStream in = Files.newInputStream(p)) {
        sha.update(in.readAllBytes());
      }
      return base + "|" + a.get("size") + "|" + ((FileTime) a.get("lastModifiedTime")).toMillis() / 1000 + "|"
          + a.get("nlink") + "|" + HexFormat.of().formatHex(sha.digest());
    } catch (Exception e) {
      throw new IllegalStateException("cannot list " + p, e);
    }
  }
}
