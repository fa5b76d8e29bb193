package dev.rollback.journal;

import dev.rollback.StateDirectory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A durable record of every rollback: an entry before the first change and another after the last. A run that
 * started and never finished (the process died, the host rebooted) is {@linkplain #interrupted(String) reported}
 * by the next run of the same target.
 */
public interface Journal {

  /**
   * Appends an entry durably (flushed to disk before returning).
   *
   * @param entry the entry
   */
  void append(JournalEntry entry);

  /**
   * Every entry for a target, oldest first.
   *
   * @param target the target's name
   * @return the entries
   */
  List<JournalEntry> entries(String target);

  /**
   * Runs of a target that started and neither finished nor were acknowledged by a later run.
   *
   * @param target the target's name
   * @return their {@code STARTED} entries, oldest first
   */
  default List<JournalEntry> interrupted(String target) {
    Map<String, JournalEntry> open = new LinkedHashMap<>();
    for (JournalEntry e : entries(target)) {
      if (JournalEntry.STARTED.equals(e.event())) {
        open.put(e.runId(), e);
      } else {
        open.remove(e.runId());
      }
    }
    return new ArrayList<>(open.values());
  }

  /** @return where entries go, for previews */
  String describe();

  /**
   * A JSON Lines file: one entry per line, appended and fsynced.
   *
   * @param file the file, created with its directories when missing
   * @return the journal
   */
  static Journal jsonLines(Path file) {
    return JsonLinesJournal.at(file);
  }

  /**
   * The default journal: {@code journal.jsonl} in the user's {@linkplain StateDirectory#defaultDir() state
   * directory} ({@code $XDG_STATE_HOME/rollback}, else {@code ~/.local/state/rollback}), private and durable across
   * reboots. Name your own in production, on a disk that outlives the machine if you can.
   *
   * @return the journal
   */
  static Journal defaultJournal() {
    return JsonLinesJournal.at(StateDirectory.defaultDir().resolve("journal.jsonl"));
  }

  /** @return a journal that records nothing */
  static Journal none() {
    return new Journal() {
      @Override
      public void append(JournalEntry entry) {}

      @Override
      public List<JournalEntry> entries(String target) {
        return List.of();
      }

      @Override
      public String describe() {
        return "no journal";
      }
    };
  }
}
