package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.db.internal.Pipe;
import dev.rollback.exec.Command;
import dev.rollback.exec.CommandFailedException;
import dev.rollback.exec.LocalExecutor;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class PipeTest {
  final LocalExecutor local = LocalExecutor.create();

  @Test
  void bytesFlowFromProducerToConsumer() {
    Pipe.Result r = Pipe.run(local, Command.of("sh", "-c", "head -c 3000000 /dev/zero"), local,
        Command.of("wc", "-c"));
    assertThat(r.consumer().stdoutTrimmed()).isEqualTo("3000000");
  }

  @Test
  void aProducerThatDiesMidwayFailsThePipeEvenWhenTheConsumerExitsZero() {
    assertThatThrownBy(() -> Pipe.run(local, Command.of("sh", "-c", "echo partial; exit 3"), local,
        Command.of("cat"))).isInstanceOf(CommandFailedException.class).hasMessageContaining("exit 3")
        .hasMessageContaining("echo partial");
  }

  @Test
  @Timeout(30)
  void aConsumerThatQuitsEarlyDoesNotHangTheProducer() {
    assertThatThrownBy(() -> Pipe.run(local, Command.of("sh", "-c", "head -c 50000000 /dev/zero"), local,
        Command.of("sh", "-c", "exit 4").withTimeout(Duration.ofSeconds(10))))
        .isInstanceOf(CommandFailedException.class).hasMessageContaining("exit 4");
  }
}
