package dev.rollback.git;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.exec.Executor;
import dev.rollback.exec.LocalExecutor;
import org.junit.jupiter.api.Test;

class GitCheckoutRollbackTest extends GitCheckoutContract {
  int dirs;

  @Override
  Executor executor() {
    return LocalExecutor.create();
  }

  @Override
  String freshDir() {
    return tmp.resolve("repo" + (++dirs)).toString();
  }

  @Test
  void refsThatWouldReadAsOptionsAreRejected() {
    GitWorkingCopy wc = threeCommits();
    assertThatThrownBy(() -> GitCheckoutRollback.of(wc).to("--upload-pack=touch /tmp/pwned"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a git ref");
    assertThatThrownBy(() -> wc.resolve("-h")).isInstanceOf(IllegalArgumentException.class);
  }
}
