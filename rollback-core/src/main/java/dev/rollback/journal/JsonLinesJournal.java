package dev.rollback.journal;

import dev.rollback.StateDirectory;
import java.nio.file.LinkOption;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rollback.RollbackException;
import dev.rollback.internal.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Journal} in a JSON Lines file: each entry one line, appended with {@code O_APPEND} and forced to disk
 * ({@code fsync}) before {@link #append} returns, so an entry survives a crash right after it. Lines that cannot
 * be read (a torn last line after a power loss) are skipped. Thread-safe; several processes may append to one
 * file.
 *
 * <p>The file must be private: a journal that is a symbolic link, belongs to another user or is writable by others
 * (or sits in a directory others can write without the sticky bit) is refused ({@link StateDirectory}); a directory
 * it creates is {@code 0700}.
 */
public final class JsonLinesJournal implements Journal {
  private final Path file;

  private JsonLinesJournal(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  /**
   * A journal in a file.
   *
   * @param file the file, created with its directories on the first append
   * @return the journal
   */
  public static JsonLinesJournal at(Path file) {
    return new JsonLinesJournal(Objects.requireNonNull(file, "file"));
  }

  @Override
  public synchronized void append(JournalEntry entry) {
    byte[] line;
    try {
      line = (Json.MAPPER.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new RollbackException("cannot write a journal entry: " + e.getMessage(), e);
    }
    try {
      Path parent = file.getParent();
      if (parent != null) {
        StateDirectory.ensurePrivateDir(parent, "the journal's directory");
      }
      StateDirectory.requirePrivate(file, "the journal");
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS)) {
        ByteBuffer b = ByteBuffer.wrap(line);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
    } catch (IOException e) {
      throw new RollbackException("cannot append to the journal " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public List<JournalEntry> entries(String target) {
    List<JournalEntry> out = new ArrayList<>();
    List<String> lines;
    StateDirectory.requirePrivate(file, "the journal");
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw new RollbackException("cannot read the journal " + file + ": " + e.getMessage(), e);
    }
    // A line whose text lacks the target's JSON string is another target's: skip it unparsed
    String needle;
    try {
      needle = target == null ? "" : Json.MAPPER.writeValueAsString(target);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    for (String l : lines) {
      if (l.isBlank() || !l.contains(needle)) {
        continue;
      }
      try {
        JournalEntry e = Json.MAPPER.readValue(l, JournalEntry.class);
        if (target == null || target.equals(e.target())) {
          out.add(e);
        }
      } catch (JsonProcessingException | RuntimeException torn) {
        // a line torn by a crash mid-write: skip it, the entries around it still count
      }
    }
    return out;
  }

  /** @return the file */
  public Path file() {
    return file;
  }

  @Override
  public String describe() {
    return "journal " + file;
  }
}
