package dev.rollback.volumes;

/** Busybox scripts that build test trees inside a volume mounted at /data. */
final class TreeScripts {
  /** A path component of 60 characters: two of them make a path longer than 100. */
  static final String LONG = "l".repeat(60);

  private TreeScripts() {}

  /**
   * A script line that writes {@code bytes} bytes of varied text to {@code file}: 64 numbered lines, doubled until
   * long enough, then cut.
   *
   * @param file the file, relative to the working directory
   * @param bytes its size
   * @return the script line
   */
  static String textFile(String file, long bytes) {
    return "i=0; while [ $i -lt 64 ]; do echo \"line $i $RANDOM of some text that compresses well enough\"; "
        + "i=$((i+1)); done > " + file + ".seed; while [ $(stat -c %s " + file + ".seed) -lt " + bytes + " ]; do "
        + "cat " + file + ".seed " + file + ".seed > " + file + ".tmp && mv " + file + ".tmp " + file + ".seed; done; "
        + "head -c " + bytes + " " + file + ".seed > " + file + " && rm " + file + ".seed";
  }

  /**
   * Modes (setuid, sticky, read-only), owners, symlinks (relative, absolute, dangling), a hard link, empty
   * directories, non-ASCII names, a path over 100 characters, fixed mtimes, and a file of {@code bigMiB} MiB: a
   * random half and a text half.
   *
   * @param bigMiB size of the big file
   * @return the script
   */
  static String tricky(int bigMiB) {
    return String.join("\n",
        "set -e",
        "cd /data",
        "mkdir -p empty/nested-empty dir sticky " + LONG + "/" + LONG + " 'ünïcödé-目录'",
        "echo hello > dir/plain.txt && chmod 640 dir/plain.txt && chown 1001:1002 dir/plain.txt",
        "printf '#!/bin/sh\\n' > dir/setuid && chmod 4755 dir/setuid",
        "echo ro > dir/readonly && chmod 0444 dir/readonly && chown 65534:65534 dir/readonly",
        "chmod 1777 sticky && chown 7:7 sticky && chmod 0700 empty/nested-empty",
        "ln -s plain.txt dir/relative-link && ln -s /etc/hostname absolute-link && ln -s missing dangling-link",
        "chown -h 33:33 dangling-link",
        "ln dir/plain.txt dir/hard-link",
        "echo 'grüße' > 'ünïcödé-目録.txt' && echo 'файл' > 'ünïcödé-目录/файл.txt'",
        "echo deep > " + LONG + "/" + LONG + "/" + "f".repeat(80) + ".txt",
        "touch -d '2001-02-03 04:05:06' dir/plain.txt 'ünïcödé-目录/файл.txt'",
        "head -c " + (bigMiB / 2 * 1048576L) + " /dev/urandom > big.bin",
        textFile("t", (bigMiB - bigMiB / 2) * 1048576L),
        "cat t >> big.bin && rm t");
  }
}
