package dev.rollback.exec;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The pipes a local child process was started with (its stdin, stdout and stderr, read from {@code /proc}), so
 * that the processes still holding them can be found once the child is gone.
 *
 * <p>Killing a process tree from a snapshot of descendants misses a process forked after the snapshot whose parent
 * then died: it is re-parented to init and is nobody's descendant any more, yet it still holds the command's
 * pipes. Holding stdout, it keeps the executor waiting for the end of the output; holding stdin, it would read an
 * end of input, a truncated one, when this JVM closes the pipe. Every process that inherited the pipes is found by
 * them instead. On systems without {@code /proc} nothing is found, and the snapshot is all there is.
 */
final class ChildPipes {
  private static final Path PROC = Path.of("/proc");
  private final Set<String> pipes;

  private ChildPipes(Set<String> pipes) {
    this.pipes = pipes;
  }

  /**
   * Reads the pipes of a child that was just started.
   *
   * @param child the child
   * @return its pipes; none when {@code /proc} cannot tell
   */
  static ChildPipes of(Process child) {
    Set<String> found = new HashSet<>();
    Path fds = PROC.resolve(Long.toString(child.pid())).resolve("fd");
    for (String fd : List.of("0", "1", "2")) {
      link(fds.resolve(fd)).filter(l -> l.startsWith("pipe:")).ifPresent(found::add);
    }
    return new ChildPipes(found);
  }

  /**
   * The live processes other than this JVM that hold one of the pipes open.
   *
   * @return their handles; empty when there are none or {@code /proc} cannot be read
   */
  List<ProcessHandle> holders() {
    List<ProcessHandle> out = new ArrayList<>();
    if (pipes.isEmpty()) {
      return out;
    }
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> isPid(p.getFileName().toString()))) {
      for (Path proc : procs) {
        long pid = Long.parseLong(proc.getFileName().toString());
        if (pid != self && holdsAny(proc.resolve("fd"))) {
          ProcessHandle.of(pid).ifPresent(out::add);
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc, or it changed under us: the snapshot of descendants is all there is
    }
    return out;
  }

  private boolean holdsAny(Path fdDir) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
      for (Path fd : fds) {
        if (link(fd).filter(pipes::contains).isPresent()) {
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone, or another user's process: not ours
    }
    return false;
  }

  private static Optional<String> link(Path p) {
    try {
      return Optional.of(Files.readSymbolicLink(p).toString());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean isPid(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
