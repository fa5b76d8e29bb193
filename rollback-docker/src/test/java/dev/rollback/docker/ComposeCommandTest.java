package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.rollback.RollbackException;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ComposeCommandTest {
  static ExecResult result(int exit, String err) {
    return new ExecResult("x", exit, null, exit == 0 ? "2.24.0\n" : "", err, Duration.ZERO, false, false);
  }

  static Command starts(String... argv) {
    return argThat(c -> c != null && c.argv().subList(0, argv.length).equals(List.of(argv)) && !c.mutating());
  }

  @Test
  void prefersTheV2PluginWhenTheHostHasIt() {
    Executor ex = mock(Executor.class);
    when(ex.run(any())).thenReturn(result(1, "no"));
    when(ex.run(starts("docker", "compose"))).thenReturn(result(0, ""));
    ComposeCommand c = ComposeCommand.detect(ex);
    assertThat(c.isV2()).isTrue();
    assertThat(c.argv("-p", "app", "up", "-d")).containsExactly("docker", "compose", "-p", "app", "up", "-d");
  }

  @Test
  void fallsBackToV1() {
    Executor ex = mock(Executor.class);
    when(ex.run(starts("docker", "compose"))).thenReturn(result(1, "docker: 'compose' is not a docker command."));
    when(ex.run(starts("docker-compose"))).thenReturn(result(0, ""));
    assertThat(ComposeCommand.detect(ex).toString()).isEqualTo("docker-compose");
  }

  @Test
  void quotesBothAnswersWhenThereIsNoCompose() {
    Executor ex = mock(Executor.class);
    when(ex.describe()).thenReturn("ssh deploy@web1:22");
    when(ex.run(starts("docker", "compose"))).thenReturn(result(1, "docker: 'compose' is not a docker command."));
    when(ex.run(starts("docker-compose"))).thenReturn(result(127, "docker-compose: not found"));
    assertThatThrownBy(() -> ComposeCommand.detect(ex)).isInstanceOf(RollbackException.class)
        .hasMessageContaining("no Docker Compose on ssh deploy@web1:22")
        .hasMessageContaining("is not a docker command").hasMessageContaining("docker-compose: not found");
  }
}
