package dev.rollback.verify;

import static dev.rollback.testing.LocalHttpServer.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.RollbackContext;
import dev.rollback.exec.Secret;
import dev.rollback.testing.LocalHttpServer;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpCheckTest {
  private final RollbackContext ctx = RollbackContext.standalone("api");
  private LocalHttpServer server;

  @BeforeEach
  void startServer() {
    server = LocalHttpServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void passesOnAny2xxByDefault() {
    server.route("/created", respond(201, "made")).route("/empty", respond(204, ""));

    CheckResult created = HttpCheck.get(server.uri("/created")).check(ctx);
    CheckResult empty = HttpCheck.get(server.uri("/empty")).check(ctx);

    assertThat(created.passed()).isTrue();
    assertThat(created.detail()).startsWith("HTTP 201 in ").endsWith(" ms");
    assertThat(empty.passed()).isTrue();
    assertThat(empty.detail()).startsWith("HTTP 204");
  }

  @Test
  void failureNamesStatusSeenAndBodyExcerpt() {
    server.route("/health", respond(503, "database\n   down"));

    CheckResult r = HttpCheck.get(server.uri("/health")).check(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("HTTP 503").contains("expected 2xx").contains("body: \"database down\"");
  }

  @Test
  void bodyExcerptInDetailIsAtMost200Characters() {
    String body = "x".repeat(5000) + "END-MARKER";
    server.route("/big", respond(500, body));

    CheckResult r = HttpCheck.get(server.uri("/big")).check(ctx);

    Matcher m = Pattern.compile("body: \"(.*)\"$").matcher(r.detail());
    assertThat(m.find()).as(r.detail()).isTrue();
    assertThat(m.group(1)).hasSizeLessThanOrEqualTo(200).endsWith("...").doesNotContain("END-MARKER");
  }

  @Test
  void expectStatusAcceptsOnlyTheListedCodes() {
    server.route("/created", respond(201, "made")).route("/moved", respond(302, "", "Location", "/elsewhere"));

    CheckResult only200 = HttpCheck.get(server.uri("/created")).expectStatus(200).check(ctx);
    CheckResult either = HttpCheck.get(server.uri("/created")).expectStatus(200, 201).check(ctx);
    CheckResult redirect = HttpCheck.get(server.uri("/moved")).check(ctx);
    CheckResult redirectExpected = HttpCheck.get(server.uri("/moved")).expectStatus(302).check(ctx);

    assertThat(only200.passed()).isFalse();
    assertThat(only200.detail()).contains("HTTP 201").contains("expected 200");
    assertThat(either.passed()).isTrue();
    assertThat(redirect.passed()).as("redirects are not followed").isFalse();
    assertThat(redirectExpected.passed()).isTrue();
  }

  @Test
  void bodyContainsPassesOnlyWhenTheTextIsThere() {
    server.route("/health", respond(200, "{\"status\":\"degraded\"}"));

    CheckResult ok = HttpCheck.get(server.uri("/health")).bodyContains("status").check(ctx);
    CheckResult bad = HttpCheck.get(server.uri("/health")).bodyContains("\"ok\"").check(ctx);

    assertThat(ok.passed()).isTrue();
    assertThat(bad.passed()).isFalse();
    assertThat(bad.detail()).contains("HTTP 200").contains("body does not contain \"\\\"ok\\\"\"")
        .contains("degraded");
  }

  @Test
  void bodyMatchesUsesFindWithPatternOrRegex() {
    server.route("/version", respond(200, "version: v2.31.4\n"));

    assertThat(HttpCheck.get(server.uri("/version")).bodyMatches("v2\\.\\d+").check(ctx).passed()).isTrue();
    assertThat(HttpCheck.get(server.uri("/version")).bodyMatches(Pattern.compile("^version: v2", Pattern.MULTILINE))
        .check(ctx).passed()).isTrue();
    CheckResult bad = HttpCheck.get(server.uri("/version")).bodyMatches("v3\\.").check(ctx);
    assertThat(bad.passed()).isFalse();
    assertThat(bad.detail()).contains("body does not match /v3\\./");
  }

  @Test
  void allBodyExpectationsMustHold() {
    server.route("/health", respond(200, "alpha"));

    CheckResult r = HttpCheck.get(server.uri("/health")).bodyContains("alpha").bodyContains("beta").check(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).contains("\"beta\"").doesNotContain("does not contain \"alpha\"");
  }

  @Test
  void expectHeaderComparesTheResponseHeaderValue() {
    server.route("/health", respond(200, "ok", "X-Release", "20240116-091500"));

    CheckResult ok = HttpCheck.get(server.uri("/health")).expectHeader("x-release", "20240116-091500").check(ctx);
    CheckResult wrong = HttpCheck.get(server.uri("/health")).expectHeader("X-Release", "20240115-113000")
        .check(ctx);
    CheckResult missing = HttpCheck.get(server.uri("/health")).expectHeader("X-Canary", "off").check(ctx);

    assertThat(ok.passed()).isTrue();
    assertThat(wrong.passed()).isFalse();
    assertThat(wrong.detail()).contains("header X-Release was \"20240116-091500\", expected \"20240115-113000\"");
    assertThat(missing.passed()).isFalse();
    assertThat(missing.detail()).contains("header X-Canary missing");
  }

  @Test
  void requestHeadersReachTheServerAndSecretValuesArePrintedNowhere() {
    server.route("/echo", ex -> LocalHttpServer.send(ex, 401, "rejected token "
        + ex.getRequestHeaders().getFirst("Authorization")));
    HttpCheck check = HttpCheck.get(server.uri("/echo")).header("X-Env", "prod")
        .header("Authorization", Secret.of("Bearer s3cr3t-token"));

    CheckResult r = check.check(ctx);

    LocalHttpServer.Request seen = server.requests().get(0);
    assertThat(seen.headers().getFirst("X-Env")).isEqualTo("prod");
    assertThat(seen.headers().getFirst("Authorization")).isEqualTo("Bearer s3cr3t-token");
    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).contains("HTTP 401").contains("rejected token ***").doesNotContain("s3cr3t");
    assertThat(check.describe()).doesNotContain("s3cr3t");
    assertThat(check.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void slowServerFailsTheAttemptAtTheTimeout() {
    server.route("/slow", server.hang());
    HttpCheck check = HttpCheck.get(server.uri("/slow")).timeout(Duration.ofMillis(300));

    long start = System.nanoTime();
    CheckResult r = check.check(ctx);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("no response within 300 ms");
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(250)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void connectionRefusedIsReportedAsSuch() {
    int port = LocalHttpServer.closedPort();

    CheckResult r = HttpCheck.get("http://127.0.0.1:" + port + "/health").check(ctx);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).isEqualTo("connection refused by 127.0.0.1:" + port);
  }

  @Test
  void headAndPostUseTheirMethodAndBody() {
    server.route("/ping", respond(200, "pong")).route("/echo", ex -> LocalHttpServer.send(ex, 200,
        "got " + new String(ex.getRequestBody().readAllBytes())));

    CheckResult head = HttpCheck.request("head", server.uri("/ping")).expectStatus(200).check(ctx);
    CheckResult post = HttpCheck.request("POST", server.uri("/echo").toString())
        .requestBody("application/json", "{\"probe\":1}").bodyContains("{\"probe\":1}").check(ctx);

    assertThat(head.passed()).isTrue();
    assertThat(post.passed()).as(post.detail()).isTrue();
    assertThat(server.requests()).extracting(LocalHttpServer.Request::method).containsExactly("HEAD", "POST");
    assertThat(server.requests().get(1).headers().getFirst("Content-Type")).isEqualTo("application/json");
    assertThat(server.requests().get(1).body()).isEqualTo("{\"probe\":1}");
  }

  @Test
  void describeNamesMethodUrlAndExpectations() {
    assertThat(HttpCheck.get("http://127.0.0.1:8000/health").expectStatus(200).describe())
        .isEqualTo("GET http://127.0.0.1:8000/health expects 200");
    assertThat(HttpCheck.get("http://127.0.0.1:8000/health").describe())
        .isEqualTo("GET http://127.0.0.1:8000/health expects 2xx");
    assertThat(HttpCheck.request("HEAD", "http://h/x").expectStatus(204, 200).bodyContains("ok")
        .expectHeader("X-A", "1").describe())
        .isEqualTo("HEAD http://h/x expects 200 or 204, body containing \"ok\", header X-A: 1");
  }

  @Test
  void settingsAreCheckedAtOnceAndCopiesLeaveTheOriginalUnchanged() {
    assertThatThrownBy(() -> HttpCheck.get("ftp://127.0.0.1/x")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp://127.0.0.1/x");
    assertThatThrownBy(() -> HttpCheck.get("health")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpCheck.get("http://h/").expectStatus(99)).hasMessageContaining("99");
    assertThatThrownBy(() -> HttpCheck.get("http://h/").expectStatus()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpCheck.get("http://h/").header("Host", "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Host");
    assertThatThrownBy(() -> HttpCheck.get("http://h/").timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HttpCheck.request("GET /x", "http://h/")).isInstanceOf(IllegalArgumentException.class);

    HttpCheck base = HttpCheck.get("http://h/");
    base.expectStatus(500).timeout(Duration.ofSeconds(1));
    assertThat(base.describe()).endsWith("expects 2xx");
    assertThat(base.timeout()).isEqualTo(Duration.ofSeconds(5));
  }
}
