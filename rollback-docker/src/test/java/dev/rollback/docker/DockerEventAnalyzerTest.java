package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventActor;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerEventAnalyzerTest {
  static Event event(String action, String id, long secs, String exitCode) {
    return new Event().withAction(action).withTime(secs).withTimenano(secs * 1_000_000_000L)
        .withEventActor(new EventActor().withId(id).withAttributes(Map.of("name", "api-" + id, "image", "app:2",
            "exitCode", exitCode)));
  }

  @Test
  void raisesARestartLoopOnTheNthExitWithinTheWindowOnlyOnce() {
    DockerEventAnalyzer a = new DockerEventAnalyzer(3, Duration.ofSeconds(10));
    assertThat(a.accept(event("die", "c1", 100, "1"))).isEmpty();
    assertThat(a.accept(event("die", "c1", 105, "1"))).isEmpty();
    assertThat(a.accept(event("die", "c2", 106, "1"))).as("another container").isEmpty();
    var alarm = a.accept(event("die", "c1", 109, "137"));
    assertThat(alarm).isPresent();
    assertThat(alarm.get().kind()).isEqualTo(DockerAlarm.Kind.RESTART_LOOP);
    assertThat(alarm.get().container()).isEqualTo("api-c1");
    assertThat(alarm.get().detail()).contains("last exit code 137");
    assertThat(a.accept(event("die", "c1", 110, "1"))).as("counting starts again").isEmpty();
  }

  @Test
  void forgetsExitsOlderThanTheWindow() {
    DockerEventAnalyzer a = new DockerEventAnalyzer(2, Duration.ofSeconds(10));
    assertThat(a.accept(event("die", "c1", 100, "1"))).isEmpty();
    assertThat(a.accept(event("die", "c1", 111, "1"))).isEmpty();
    assertThat(a.accept(event("die", "c1", 115, "1"))).isPresent();
  }

  @Test
  void raisesAnOomAlarmAtOnce() {
    var alarm = new DockerEventAnalyzer(3, Duration.ofSeconds(10)).accept(event("oom", "c9", 100, "0"));
    assertThat(alarm).hasValueSatisfying(x -> {
      assertThat(x.kind()).isEqualTo(DockerAlarm.Kind.OOM_KILLED);
      assertThat(x.detail()).isEqualTo("OOM kill in container api-c9 (image app:2)");
    });
  }
}
