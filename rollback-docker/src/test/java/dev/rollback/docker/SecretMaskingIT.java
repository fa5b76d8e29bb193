package dev.rollback.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.HostConfig;
import dev.rollback.Outcome;
import dev.rollback.RollbackContext;
import dev.rollback.RollbackPlan;
import dev.rollback.RollbackReport;
import dev.rollback.exec.SecretMasker;
import dev.rollback.journal.Journal;
import dev.rollback.lock.TargetLock;
import dev.rollback.verify.CheckResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a real container's logs look like in reports: secrets (by name, by URL password, by the plan's own names)
 * masked, every other value readable.
 */
class SecretMaskingIT {
  static final String PASSWORD = "s3cr3t-value";
  static final String URL_PASSWORD = "urlpw-7731";
  static final String DSN_SECRET = "dsn-only-9d1e";
  /** Logs its environment, then serves only when the image has /www/health (release-1 does, release-2 not). */
  static final String SCRIPT = "echo starting with PORT=$PORT FEATURE=$FEATURE DB_PASSWORD=$DB_PASSWORD "
      + "API_KEY=$API_KEY url $DATABASE_URL dsn $APP_DSN; [ -f /www/health ] || exit 2; "
      + "exec /bin/busybox httpd -f -p 8080 -h /www";
  static final String[] ENV = {"PORT=8080", "FEATURE=true", "DB_PASSWORD=" + PASSWORD, "API_KEY=ab",
      "DATABASE_URL=postgres://app:" + URL_PASSWORD + "@db:5432/app", "APP_DSN=" + DSN_SECRET};

  @TempDir
  Path tmp;
  DockerFixture fx;
  String name;

  @BeforeEach
  void start() {
    fx = DockerFixture.start();
    name = "rbdock-mask-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  String runLoggingItsEnvironment(String image) {
    fx.cleanUpContainer(name);
    String id = fx.docker.client().createContainerCmd(image).withName(name).withEnv(ENV)
        .withCmd("/bin/busybox", "sh", "-c", SCRIPT).withHostConfig(HostConfig.newHostConfig().withInit(true))
        .withLabels(Map.of("rbdock.test", "true")).exec().getId();
    fx.docker.client().startContainerCmd(id).exec();
    return id;
  }

  @Test
  void aFailedRollbacksReportShowsPortAndFlagButNeverTheSecrets() {
    String repo = "rollback-test/" + name;
    fx.tag(TestImages.UNHEALTHY, repo, "1");
    fx.tag(TestImages.HEALTHY, repo, "2");
    ReleaseImages rel = ReleaseImages.of(fx.docker, repo).recordedIn(tmp.resolve("registry"));
    rel.recordDeployed("1");
    rel.recordDeployed("2");
    String oldId = runLoggingItsEnvironment(repo + ":release-2");

    RollbackReport report;
    String logged;
    try (CapturedStderr log = new CapturedStderr()) {
      report = RollbackPlan.builder(name).lock(TargetLock.inDirectory(tmp.resolve("locks")))
          .journal(Journal.jsonLines(tmp.resolve("journal.jsonl")))
          .secretMasker(SecretMasker.defaults().withNamePatterns("*_DSN"))
          .step(ImageTagRollback.of(fx.docker, name, rel)
              .readiness(ContainerReadiness.defaults().deadline(Duration.ofSeconds(15)))
              .stopTimeout(Duration.ofSeconds(5)))
          .build().run();
      logged = log.text();
    }

    assertThat(report.outcome()).as(report.toText()).isEqualTo(Outcome.RESTORED);
    assertThat(report.failure()).contains("starting with PORT=8080 FEATURE=true DB_PASSWORD=*** API_KEY=***",
        "url postgres://app:***@db:5432/app", "dsn ***");
    for (String text : new String[] {report.failure(), report.toText(), report.toJson(), logged}) {
      assertThat(text).doesNotContain(PASSWORD).doesNotContain(URL_PASSWORD).doesNotContain(DSN_SECRET)
          .doesNotContain("API_KEY=ab");
    }
    assertThat(fx.docker.container(name).getId()).isEqualTo(oldId);
  }

  @Test
  void logsCleanQuotesTheLineWithPortAndFlagAndMasksTheSecrets() {
    runLoggingItsEnvironment(TestImages.HEALTHY);
    RollbackContext ctx = RollbackContext.standalone("mask");
    var logsClean = ContainerChecks.logsClean(fx.docker, name, Pattern.compile("starting")).lastLines(5);
    DockerFixture.await("the start line", Duration.ofSeconds(10), () -> !logsClean.check(ctx).passed());

    CheckResult r = logsClean.check(ctx);

    assertThat(r.detail()).contains("PORT=8080 FEATURE=true DB_PASSWORD=*** API_KEY=***",
        "url postgres://app:***@db:5432/app", "dsn " + DSN_SECRET);
    assertThat(r.detail()).doesNotContain(PASSWORD).doesNotContain(URL_PASSWORD);
  }
}
