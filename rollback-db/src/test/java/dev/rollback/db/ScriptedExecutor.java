package dev.rollback.db;

import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Answers commands by the first scripted argv fragment they contain, and records every command it was given. */
final class ScriptedExecutor implements Executor {
  private final Map<String, ExecResult> answers = new LinkedHashMap<>();
  final List<Command> ran = new ArrayList<>();

  ScriptedExecutor answer(String argvContains, int exit, String stdout, String stderr) {
    answers.put(argvContains, new ExecResult(argvContains, exit, null, stdout, stderr, Duration.ZERO, false, false));
    return this;
  }

  @Override
  public synchronized ExecResult run(Command command) {
    ran.add(command);
    String argv = String.join(" ", command.argv());
    for (Map.Entry<String, ExecResult> e : answers.entrySet()) {
      if (argv.contains(e.getKey())) {
        ExecResult r = e.getValue();
        return new ExecResult(command.display(), r.exitCode(), null, r.stdout(), r.stderr(), Duration.ZERO, false,
            false);
      }
    }
    return new ExecResult(command.display(), 0, null, "", "", Duration.ZERO, false, false);
  }

  synchronized List<String> argvs() {
    return ran.stream().map(c -> String.join(" ", c.argv())).toList();
  }

  @Override
  public String describe() {
    return "scripted";
  }
}
