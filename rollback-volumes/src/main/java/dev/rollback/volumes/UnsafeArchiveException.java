package dev.rollback.volumes;

/**
 * An archive holds an entry that could write outside the target, or that no volume should hold: an absolute name,
 * a {@code ..} component, a file beneath a symlink an earlier entry made, a hard link out of the root, a device or
 * FIFO, a control character in a name. Its checksum may well match its manifest: this is about what it holds.
 * Thrown before the target is touched (or, for a target that was empty, after emptying it again); nothing is ever
 * written outside the target. The message names the entry and the reason.
 */
public class UnsafeArchiveException extends ArchiveIntegrityException {
  private static final long serialVersionUID = 1L;
  private final String entry;

  /**
   * @param message what was refused, why, and what was (not) changed
   * @param entry the refused entry's name as found in the archive
   * @param cause the underlying refusal
   */
  public UnsafeArchiveException(String message, String entry, Throwable cause) {
    super(message, cause);
    this.entry = entry;
  }

  /** @return the refused entry's name as found in the archive (control characters included) */
  public String entry() {
    return entry;
  }
}
