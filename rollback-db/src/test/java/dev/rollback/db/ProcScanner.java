package dev.rollback.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** Polls every process's argv (/proc/PID/cmdline) and the password files in /tmp from a background thread. */
final class ProcScanner implements AutoCloseable {
  private final String secret;
  private final Thread thread;
  private volatile boolean running = true;
  final Set<String> leaks = Collections.synchronizedSet(new LinkedHashSet<>());
  final Set<String> toolsSeen = Collections.synchronizedSet(new LinkedHashSet<>());
  final Set<String> passwordFileModes = Collections.synchronizedSet(new LinkedHashSet<>());
  volatile long scans;

  ProcScanner(String secret) {
    this.secret = secret;
    this.thread = new Thread(this::loop, "proc-scanner");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop() {
    while (running) {
      try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p ->
          p.getFileName().toString().chars().allMatch(Character::isDigit))) {
        for (Path p : procs) {
          try {
            String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ');
            if (cmd.contains(secret)) {
              leaks.add(p + ": " + cmd.replace(secret, "<THE PASSWORD>"));
            }
            String prog = cmd.split(" ", 2)[0];
            if (prog.endsWith("pg_dump") || prog.endsWith("pg_restore") || prog.endsWith("psql")
                || prog.endsWith("mariadb") || prog.endsWith("mariadb-dump")) {
              toolsSeen.add(prog.substring(prog.lastIndexOf('/') + 1));
            }
          } catch (IOException ignored) {
            // the process ended while we looked
          }
        }
      } catch (IOException ignored) {
        // /proc changed under us; next round
      }
      try (DirectoryStream<Path> tmp = Files.newDirectoryStream(Path.of("/tmp"), ".rollback-pw-*")) {
        for (Path f : tmp) {
          try {
            passwordFileModes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
          } catch (IOException ignored) {
            // removed while we looked
          }
        }
      } catch (IOException ignored) {
        // none
      }
      scans++;
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5000);
  }
}
