package dev.rollback.journal;

import dev.rollback.Checkpoint;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackStrategy;
import dev.rollback.lock.TargetLock;
import java.nio.file.Path;

/** Child JVM: runs a plan whose step halts the JVM mid-rollback, as a crash or a kill -9 would. */
public final class CrashMain {
  private CrashMain() {}

  public static void main(String[] args) {
    RollbackStrategy dies = new RollbackStrategy() {
      @Override
      public String describe() {
        return "a step during which the process dies";
      }

      @Override
      public Checkpoint checkpoint(RollbackContext ctx) {
        return Checkpoint.of("x");
      }

      @Override
      public void rollback(RollbackContext ctx) {
        System.out.println("DYING " + ProcessHandle.current().pid());
        System.out.flush();
        Runtime.getRuntime().halt(9);
      }

      @Override
      public void restore(RollbackContext ctx, Checkpoint checkpoint) {}
    };
    RollbackPlan.builder(args[2]).journal(Journal.jsonLines(Path.of(args[0])))
        .lock(TargetLock.inDirectory(Path.of(args[1]))).step(dies).build().run();
  }
}
