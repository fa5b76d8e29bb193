package dev.rollback.volumes;

import dev.rollback.Checkpoint;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link VolumeRestoreRollback} recorded before changing a volume: the safety backup of its contents and the
 * containers that were running with it mounted.
 *
 * @param safetyBackup the archive of the contents before the rollback; null in a preview
 * @param running ids of containers mounting the volume that were running, started again after a restore
 * @param pinOwner the owner of the safety backup's pin (the run that took it), released by a restore or finish
 *     that may run under another run id (an undo or finish of an undoable run)
 */
public record VolumeCheckpoint(Path safetyBackup, List<String> running, String pinOwner) implements Checkpoint {
  /** Copies the list. */
  public VolumeCheckpoint {
    running = List.copyOf(running);
  }

  @Override
  public String describe() {
    return (safetyBackup == null ? "no safety backup (preview)" : "safety backup " + safetyBackup)
        + (running.isEmpty() ? "" : "; running: " + running.size() + " container(s)");
  }
}
