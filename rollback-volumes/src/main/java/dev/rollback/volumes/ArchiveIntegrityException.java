package dev.rollback.volumes;

/**
 * An archive does not match its manifest (wrong sha256 or size, missing manifest, truncated or unreadable stream),
 * or holds entries that must not be unpacked ({@link UnsafeArchiveException}). Thrown before anything is changed:
 * the volume or directory it was meant for is untouched.
 */
public class ArchiveIntegrityException extends VolumeException {
  private static final long serialVersionUID = 1L;

  /** @param message what was checked, what was found, what to do */
  public ArchiveIntegrityException(String message) {
    super(message);
  }

  /**
   * @param message what was checked, what was found, what to do
   * @param cause the underlying error
   */
  public ArchiveIntegrityException(String message, Throwable cause) {
    super(message, cause);
  }
}
