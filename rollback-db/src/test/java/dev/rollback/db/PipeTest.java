package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.db.internal.Pipe;
import dev.rollback.exec.Command;
import dev.rollback.exec.CommandFailedException;
import dev.rollback.exec.LocalExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  @Timeout(60)
  void aConsumerThatFailsStopsTheProducerInsteadOfLettingItRunToItsEnd(@TempDir Path tmp) {
    // a producer as pg_dump is: it writes for a while (40 x 64 KiB, 0.1 s apart) and dies on a broken pipe
    Path finished = tmp.resolve("producer-finished");
    Command producer = Command.of("sh", "-c", "set -e; i=0; while [ $i -lt 40 ]; do head -c 65536 /dev/zero;"
        + " sleep 0.1; i=$((i+1)); done; touch \"$1\"", "sh", finished.toString());

    assertThatThrownBy(() -> Pipe.run(local, producer, local, Command.of("sh", "-c", "head -c 1 >/dev/null; exit 5")))
        .isInstanceOf(CommandFailedException.class).hasMessageContaining("exit 5");

    assertThat(Files.exists(finished)).as("the producer was stopped when the consumer failed").isFalse();
  }
}
