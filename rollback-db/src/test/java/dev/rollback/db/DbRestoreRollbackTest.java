package dev.rollback.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** DbRestoreRollback's settings and what counts as a server refusing connections; the runs are in the *IT tests. */
class DbRestoreRollbackTest {
  final DbRestoreRollback step = DbRestoreRollback.of(PostgresDatabase.named("app"));

  @Test
  void acknowledgingSomethingThatIsNotAnEarlierRunsCopyOfThisDatabaseIsRefused() {
    assertThatThrownBy(() -> step.acknowledgeEarlierCopies("shop_pre_rb_20261204101500"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'shop_pre_rb_20261204101500' is not a copy an earlier run of app leaves (app_pre_rb_<14"
            + " digits>, _rb_<14 digits> or _rb_failed_<14 digits>)");
    assertThatThrownBy(() -> step.acknowledgeEarlierCopies("app_pre_rb_2026")).isInstanceOf(
        IllegalArgumentException.class);
    assertThat(step.acknowledgeEarlierCopies("app_pre_rb_20261204101500", "app_rb_20261204101500",
        "app_rb_failed_20261204101500")).isNotSameAs(step);
  }

  @Test
  void aNegativeReconnectTimeIsRefused() {
    assertThatThrownBy(() -> step.reconnectWithin(Duration.ofMillis(-1))).isInstanceOf(
        IllegalArgumentException.class).hasMessageContaining("reconnectWithin must be >= 0");
    assertThat(step.reconnectWithin(Duration.ZERO)).isNotSameAs(step);
  }

  @Test
  void refusedConnectionsOfBothEnginesAreRecognisedAndOtherFailuresAreNot() {
    assertThat(Reconnect.refused("psql: error: connection to server at \"127.0.0.1\", port 5432 failed: Connection"
        + " refused\n\tIs the server running on that host and accepting TCP/IP connections?")).isTrue();
    assertThat(Reconnect.refused("psql: error: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  the"
        + " database system is starting up")).isTrue();
    assertThat(Reconnect.refused("FATAL:  the database system is shutting down")).isTrue();
    assertThat(Reconnect.refused("ERROR 2002 (HY000): Can't connect to server on '127.0.0.1' (115)")).isTrue();
    assertThat(Reconnect.refused("psql: could not connect to server: No such file or directory")).isTrue();
    assertThat(Reconnect.refused("server closed the connection unexpectedly")).as("lost midway: not retried")
        .isFalse();
    assertThat(Reconnect.refused("ERROR:  database \"app_pre_rb_20261204101500\" already exists")).isFalse();
  }
}
