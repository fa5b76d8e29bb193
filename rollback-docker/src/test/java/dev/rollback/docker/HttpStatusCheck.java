package dev.rollback.docker;

import dev.rollback.RollbackContext;
import dev.rollback.verify.Check;
import dev.rollback.verify.CheckResult;

/** Test check: GET a URL on loopback and expect a status. */
public record HttpStatusCheck(String url, int expected) implements Check {

  /**
   * @param url the URL
   * @return a check expecting 200
   */
  public static HttpStatusCheck ok(String url) {
    return new HttpStatusCheck(url, 200);
  }

  @Override
  public String describe() {
    return "GET " + url + " expects " + expected;
  }

  @Override
  public CheckResult check(RollbackContext ctx) {
    int s = DockerFixture.status(url);
    return s == expected ? CheckResult.pass("HTTP " + s) : CheckResult.fail("HTTP " + s + ", expected " + expected);
  }
}
