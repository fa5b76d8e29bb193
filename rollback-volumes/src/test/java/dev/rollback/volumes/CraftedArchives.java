package dev.rollback.volumes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Hostile archives for the restore paths, each with a valid manifest (its sha256 matches): a restore must refuse
 * them for what they hold, not for a checksum. Every one starts with a harmless {@code ok.txt}, so a restore that
 * unpacks part of it before refusing shows in the target's listing.
 */
enum CraftedArchives {
  /** {@code <outside>/abs.txt}. */
  ABSOLUTE_NAME("is an absolute path") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.file(outside + "/abs.txt", "planted");
    }

    @Override
    String entry(String outside) {
      return outside + "/abs.txt";
    }
  },
  /** {@code ../escaped.txt}: next to the target. */
  DOT_DOT_COMPONENT("has a '..' component: it climbs out of the root") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.file("sub/../../escaped.txt", "planted");
    }

    @Override
    String entry(String outside) {
      return "sub/../../escaped.txt";
    }
  },
  /** {@code evil -> <outside>}, then {@code evil/planted.txt}. */
  SYMLINK_THEN_FILE_BENEATH_IT("lies beneath 'evil', a symlink an earlier entry made") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.symlink("evil", outside);
      t.file("evil/planted.txt", "planted");
    }

    @Override
    String entry(String outside) {
      return "evil/planted.txt";
    }
  },
  /** {@code a -> b}, {@code b -> <outside>}, then {@code a/x}. */
  SYMLINK_CHAIN("lies beneath 'a', a symlink an earlier entry made") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.symlink("a", "b");
      t.symlink("b", outside);
      t.file("a/x", "planted");
    }

    @Override
    String entry(String outside) {
      return "a/x";
    }
  },
  /** A hard link to {@code /etc/passwd}. */
  HARD_LINK_TO_AN_ABSOLUTE_PATH("is a hard link to '/etc/passwd', whose name is an absolute path") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.hardLink("passwd", "/etc/passwd");
    }

    @Override
    String entry(String outside) {
      return "passwd";
    }
  },
  /** A hard link to {@code ../x}. */
  HARD_LINK_OUT_OF_THE_ROOT("is a hard link to '../x', whose name has a '..' component") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.hardLink("x", "../x");
    }

    @Override
    String entry(String outside) {
      return "x";
    }
  },
  /** A character device (5, 0: {@code /dev/tty}). */
  CHARACTER_DEVICE("is a character device") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.device("tty", TarConstants.LF_CHR, 5, 0);
    }

    @Override
    String entry(String outside) {
      return "tty";
    }
  },
  /** A block device (7, 0: {@code /dev/loop0}). */
  BLOCK_DEVICE("is a block device") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.device("loop0", TarConstants.LF_BLK, 7, 0);
    }

    @Override
    String entry(String outside) {
      return "loop0";
    }
  },
  /** A FIFO. */
  FIFO("is a FIFO") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.device("pipe", TarConstants.LF_FIFO, 0, 0);
    }

    @Override
    String entry(String outside) {
      return "pipe";
    }
  },
  /** Directory {@code d/}, then symlink {@code d -> <outside>}, then {@code d/f}. */
  DIRECTORY_REPLACED_BY_A_SYMLINK("is a symlink replacing the directory an earlier entry made") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.dir("d");
      t.symlink("d", outside);
      t.file("d/f", "planted");
    }

    @Override
    String entry(String outside) {
      return "d";
    }
  },
  /** A newline in a name. */
  NEWLINE_IN_A_NAME("holds a control character") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.file("bad\nname.txt", "planted");
    }

    @Override
    String entry(String outside) {
      return "bad\\nname.txt";
    }
  },
  /** A header saying 1000 bytes, followed by 100 and the end of the stream. */
  TRUNCATED_ENTRY("ends inside entry 'big.bin', before the 1000 bytes its header gives (truncated)") {
    @Override
    void entries(Tar t, String outside) throws IOException {
      t.truncated("big.bin", 1000, 100);
    }

    @Override
    String entry(String outside) {
      return "big.bin";
    }
  };

  private final String reason;

  CraftedArchives(String reason) {
    this.reason = reason;
  }

  /** Writes the hostile entries after {@code ok.txt}. */
  abstract void entries(Tar t, String outside) throws IOException;

  /** @return the refused entry's name as the message shows it */
  abstract String entry(String outside);

  /** @return a phrase of the message saying why */
  String reason() {
    return reason;
  }

  /** @return whether the refusal is about an entry's kind or name ({@link UnsafeArchiveException}), not a break */
  boolean unsafe() {
    return this != TRUNCATED_ENTRY;
  }

  /**
   * Writes this archive as {@code <dir>/<name>.tar.gz} with a manifest that matches it.
   *
   * @param dir where
   * @param outside the directory the hostile entries aim at
   * @return the archive
   */
  Path write(Path dir, String outside) throws IOException {
    Tar t = new Tar();
    t.file("ok.txt", "harmless\n");
    entries(t, outside);
    return withManifest(dir.resolve(name().toLowerCase() + ".tar.gz"), t.bytes());
  }

  /**
   * An archive a volume may well hold, with a matching manifest: {@code current -> releases/1} (before its target
   * exists), {@code hostname -> /etc/hostname}, {@code up -> ../elsewhere}, none ever written through, and
   * {@code releases/1/same-app.txt} a hard link to {@code releases/1/app.txt} ({@code release 1\n}).
   *
   * @param dir where to write {@code legit.tar.gz}
   * @param climbing whether to include {@code up -> ../elsewhere} (the Engine refuses a relative link that climbs
   *     out of the directory it unpacks into: "invalid symlink")
   * @return the archive
   */
  static Path legitimate(Path dir, boolean climbing) throws IOException {
    Tar t = new Tar()
        .symlink("current", "releases/1") // before its target exists: order alone is no reason to refuse
        .symlink("hostname", "/etc/hostname");
    if (climbing) {
      t.symlink("up", "../elsewhere");
    }
    return withManifest(dir.resolve("legit.tar.gz"), t
        .dir("releases")
        .dir("releases/1")
        .file("releases/1/app.txt", "release 1\n")
        .hardLink("releases/1/same-app.txt", "releases/1/app.txt")
        .bytes());
  }

  /**
   * Gzips a tar stream into {@code archive} and writes a manifest that matches the file.
   *
   * @param archive a {@code .tar.gz} path
   * @param tar the uncompressed stream
   * @return the archive
   */
  static Path withManifest(Path archive, byte[] tar) throws IOException {
    Files.createDirectories(archive.getParent());
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive))) {
      out.write(tar);
    }
    byte[] bytes = Files.readAllBytes(archive);
    String sha;
    try {
      sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    new ArchiveManifest(archive.getFileName().toString(), sha, bytes.length, 0, 0, 0, "crafted by a test",
        "gzip level 6, 1 threads", Instant.now()).writeFor(archive);
    return archive;
  }

  /** A tar stream written entry by entry, with 512-byte blocks so a truncated one can be cut at a known offset. */
  static final class Tar {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream out;
    private byte[] cut;

    Tar() {
      out = new TarArchiveOutputStream(bytes, 512, StandardCharsets.UTF_8.name());
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    Tar file(String name, String content) throws IOException {
      byte[] b = content.getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
      e.setSize(b.length);
      e.setMode(0644);
      out.putArchiveEntry(e);
      out.write(b);
      out.closeArchiveEntry();
      return this;
    }

    Tar dir(String name) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name + "/", TarConstants.LF_DIR, true);
      e.setMode(0755);
      out.putArchiveEntry(e);
      out.closeArchiveEntry();
      return this;
    }

    Tar symlink(String name, String target) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
      e.setLinkName(target);
      out.putArchiveEntry(e);
      out.closeArchiveEntry();
      return this;
    }

    Tar hardLink(String name, String target) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
      e.setLinkName(target);
      out.putArchiveEntry(e);
      out.closeArchiveEntry();
      return this;
    }

    Tar device(String name, byte type, int major, int minor) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, type, true);
      e.setDevMajor(major);
      e.setDevMinor(minor);
      e.setMode(0600);
      out.putArchiveEntry(e);
      out.closeArchiveEntry();
      return this;
    }

    /** A file whose header says {@code size} bytes, cut after {@code kept} of them: the stream ends there. */
    Tar truncated(String name, int size, int kept) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
      e.setSize(size);
      out.putArchiveEntry(e);
      out.flush();
      int headerEnd = bytes.size();
      out.write(new byte[size]);
      out.closeArchiveEntry();
      out.flush();
      cut = java.util.Arrays.copyOf(bytes.toByteArray(), headerEnd + kept);
      return this;
    }

    byte[] bytes() throws IOException {
      out.finish();
      out.close();
      return cut != null ? cut : bytes.toByteArray();
    }
  }
}
