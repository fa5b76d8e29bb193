package dev.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.journal.Journal;
import dev.rollback.journal.JournalEntry;
import dev.rollback.lock.LockHolder;
import dev.rollback.lock.TargetLock;
import dev.rollback.testing.Strategies;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {
  @TempDir
  Path tmp;

  @Test
  void theDefaultIsPerUserAndDurableNotTheSharedTmpdir() {
    assertThat(StateDirectory.defaultDir(Map.of("XDG_STATE_HOME", "/srv/state"), "/home/ops"))
        .isEqualTo(Path.of("/srv/state/rollback"));
    assertThat(StateDirectory.defaultDir(Map.of(), "/home/ops")).isEqualTo(Path.of("/home/ops/.local/state/rollback"));
    assertThat(StateDirectory.defaultDir(Map.of("XDG_STATE_HOME", "relative"), "/home/ops"))
        .as("a relative XDG_STATE_HOME is ignored, as the spec says").isEqualTo(Path.of("/home/ops/.local/state/rollback"));
    assertThat(Journal.defaultJournal().describe()).doesNotContain(System.getProperty("java.io.tmpdir") + "/rollback")
        .contains(StateDirectory.defaultDir().toString());
  }

  @Test
  void aDirectoryItCreatesIsPrivate() throws Exception {
    Path d = StateDirectory.ensurePrivateDir(tmp.resolve("state/rollback"), "the state directory");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).isEqualTo("rwx------");
  }

  @Test
  void refusesAJournalThatIsASymlinkAndWritesNothingThroughIt() throws Exception {
    Path elsewhere = tmp.resolve("elsewhere.jsonl");
    Files.writeString(elsewhere, "");
    Path link = tmp.resolve("journal.jsonl");
    Files.createSymbolicLink(link, elsewhere);
    Journal j = Journal.jsonLines(link);

    assertThatThrownBy(() -> j.append(entry())).isInstanceOf(UntrustedPathException.class)
        .hasMessageContaining("is a symbolic link").hasMessageContaining(link.toString());
    assertThatThrownBy(() -> j.entries("api")).isInstanceOf(UntrustedPathException.class);
    assertThat(Files.readString(elsewhere)).isEmpty();
  }

  @Test
  void refusesAJournalOthersCanWrite() throws Exception {
    Path file = tmp.resolve("journal.jsonl");
    Files.writeString(file, "");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

    assertThatThrownBy(() -> Journal.jsonLines(file).append(entry())).isInstanceOf(UntrustedPathException.class)
        .hasMessageContaining("writable by other users (rw-rw-rw-)").hasMessageContaining("chmod go-w");
  }

  @Test
  void refusesAJournalInADirectoryOthersCanWriteWithoutTheStickyBit() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

    assertThatThrownBy(() -> Journal.jsonLines(dir.resolve("journal.jsonl")).append(entry()))
        .isInstanceOf(UntrustedPathException.class).hasMessageContaining(dir.toString());
    assertThat(dir.resolve("journal.jsonl")).doesNotExist();
  }

  @Test
  void acceptsAFileOfItsOwnInAStickyDirectoryLikeTmp() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("sticky"));
    Files.setAttribute(dir, "unix:mode", 01777);

    Journal.jsonLines(dir.resolve("journal.jsonl")).append(entry());

    assertThat(Journal.jsonLines(dir.resolve("journal.jsonl")).entries("api")).hasSize(1);
  }

  @Test
  void refusesAJournalOwnedByAnotherUser() throws Exception {
    Path file = tmp.resolve("journal.jsonl");
    Files.writeString(file, "");
    UserPrincipal nobody = file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    if (!"root".equals(System.getProperty("user.name"))) {
      // Only root can give a file away; as another user, a file of root's stands for it (accepted: root owns the
      // machine), so the rule is shown with a file only this test's owner could not have made its own.
      org.junit.jupiter.api.Assumptions.abort("needs root to chown a file to nobody (CI and test.sh run as root)");
    }
    Files.setOwner(file, nobody);

    assertThatThrownBy(() -> Journal.jsonLines(file).append(entry())).isInstanceOf(UntrustedPathException.class)
        .hasMessageContaining("belongs to nobody");
  }

  @Test
  void aPlanWhoseJournalCannotBeTrustedIsRefusedBeforeAnyChange() throws Exception {
    Path link = tmp.resolve("journal.jsonl");
    Files.createSymbolicLink(link, tmp.resolve("elsewhere.jsonl"));
    boolean[] rolledBack = new boolean[1];

    RollbackReport r = RollbackPlan.builder("api").lock(TargetLock.inDirectory(tmp.resolve("locks")))
        .journal(Journal.jsonLines(link)).step(Strategies.of("change something", () -> rolledBack[0] = true))
        .build().run();

    assertThat(r.outcome()).isEqualTo(Outcome.REFUSED);
    assertThat(r.failure()).startsWith("the journal cannot be trusted: ").contains("is a symbolic link");
    assertThat(rolledBack[0]).isFalse();
    assertThat(tmp.resolve("elsewhere.jsonl")).doesNotExist();
  }

  @Test
  void refusesALockDirectoryOthersCanWrite() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("locks"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

    assertThatThrownBy(() -> TargetLock.inDirectory(dir).acquire("api", LockHolder.current("run-1")))
        .isInstanceOf(UntrustedPathException.class).hasMessageContaining("the lock directory");
    assertThat(Files.list(dir)).isEmpty();
  }

  @Test
  void refusesALockFileThatIsASymlink() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("locks"));
    Path victim = Files.writeString(tmp.resolve("victim"), "keep me");
    try (var names = Files.list(dir)) {
      assertThat(names).isEmpty();
    }
    // the lock file's name for target "api", whatever the naming scheme: take it once, then replace it by a link
    TargetLock.inDirectory(dir).acquire("api", LockHolder.current("run-0")).close();
    Path lockFile;
    try (var names = Files.list(dir)) {
      lockFile = names.filter(p -> p.getFileName().toString().contains("api")).findFirst().orElseThrow();
    }
    Files.delete(lockFile);
    Files.createSymbolicLink(lockFile, victim);

    assertThatThrownBy(() -> TargetLock.inDirectory(dir).acquire("api", LockHolder.current("run-1")))
        .isInstanceOf(UntrustedPathException.class).hasMessageContaining("is a symbolic link");
    assertThat(Files.readString(victim)).isEqualTo("keep me");
    assertThat(Files.isSymbolicLink(lockFile)).isTrue();
    assertThat(Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS)).isTrue();
  }

  private static JournalEntry entry() {
    return new JournalEntry("run-1", "api", JournalEntry.STARTED, Instant.now(), "host", 1, null, "test");
  }
}
