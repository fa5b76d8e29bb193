package dev.rollback.verify;

import dev.rollback.RollbackContext;
import dev.rollback.exec.Secret;
import dev.rollback.exec.SecretMasker;
import dev.rollback.internal.Http;
import dev.rollback.internal.Text;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Sends one HTTP request per attempt and checks the status, and optionally the body and response headers.
 *
 * <pre>{@code
 * HttpCheck.get("http://127.0.0.1:8000/health").expectStatus(200).bodyContains("\"status\":\"ok\"")
 * }</pre>
 *
 * <p>Immutable and thread-safe: every setting returns a copy. Defaults: any 2xx status passes; no body or header
 * expectation; 5 s per attempt for connect, response and body together; redirects are not followed (a 3xx fails
 * unless expected); HTTP/1.1; no proxy. Body expectations see the first 1 MiB of the body.
 *
 * <p>A failed attempt's detail names what was seen: the status and an excerpt of the body (at most 200
 * characters), {@code connection refused by 127.0.0.1:8000}, or {@code no response within 5000 ms}. Request
 * headers set with a {@link Secret} value are sent but never printed, and their value is masked in any body
 * excerpt.
 */
public final class HttpCheck implements Check {
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private final String method;
  private final URI uri;
  private final List<RequestHeader> requestHeaders;
  private final String requestBody;
  private final String requestContentType;
  private final Set<Integer> statuses;
  private final List<String> bodyContains;
  private final List<Pattern> bodyPatterns;
  private final List<ExpectedHeader> expectedHeaders;
  private final Duration timeout;

  private record RequestHeader(String name, String value, Secret secret) {
    String reveal() {
      return secret == null ? value : secret.reveal();
    }
  }

  private record ExpectedHeader(String name, String value) {}

  private HttpCheck(String method, URI uri, List<RequestHeader> requestHeaders, String requestBody,
      String requestContentType, Set<Integer> statuses, List<String> bodyContains, List<Pattern> bodyPatterns,
      List<ExpectedHeader> expectedHeaders, Duration timeout) {
    this.method = method;
    this.uri = uri;
    this.requestHeaders = List.copyOf(requestHeaders);
    this.requestBody = requestBody;
    this.requestContentType = requestContentType;
    this.statuses = Set.copyOf(statuses);
    this.bodyContains = List.copyOf(bodyContains);
    this.bodyPatterns = List.copyOf(bodyPatterns);
    this.expectedHeaders = List.copyOf(expectedHeaders);
    this.timeout = timeout;
  }

  /**
   * A GET request.
   *
   * @param url an absolute http or https URL
   * @return the check; passes on any 2xx until told otherwise
   * @throws IllegalArgumentException when the URL is not an absolute http or https URL
   */
  public static HttpCheck get(String url) {
    return get(Http.parse(Objects.requireNonNull(url, "url"), "HttpCheck"));
  }

  /**
   * A GET request.
   *
   * @param url an absolute http or https URL
   * @return the check; passes on any 2xx until told otherwise
   * @throws IllegalArgumentException when the URL is not an absolute http or https URL
   */
  public static HttpCheck get(URI url) {
    return request("GET", url);
  }

  /**
   * A request with any method, e.g. {@code HEAD} or {@code POST}; send a body with
   * {@link #requestBody(String, String)}.
   *
   * @param method the HTTP method, e.g. {@code HEAD}; upper-cased
   * @param url an absolute http or https URL
   * @return the check; passes on any 2xx until told otherwise
   * @throws IllegalArgumentException when the method is not an HTTP token or the URL not an http(s) URL
   */
  public static HttpCheck request(String method, URI url) {
    Objects.requireNonNull(method, "method");
    if (!TOKEN.matcher(method).matches()) {
      throw new IllegalArgumentException("not an HTTP method: '" + method + "'");
    }
    Http.requireHttp(Objects.requireNonNull(url, "url"), "HttpCheck");
    return new HttpCheck(method.toUpperCase(Locale.ROOT), url, List.of(), null, null, Set.of(), List.of(),
        List.of(), List.of(), DEFAULT_TIMEOUT);
  }

  /**
   * A request with any method.
   *
   * @param method the HTTP method, e.g. {@code POST}
   * @param url an absolute http or https URL
   * @return the check
   * @throws IllegalArgumentException when the method or URL is not valid
   */
  public static HttpCheck request(String method, String url) {
    return request(method, Http.parse(Objects.requireNonNull(url, "url"), "HttpCheck"));
  }

  /**
   * Sets the statuses that pass.
   *
   * @param codes one or more status codes, each 100 to 599; default any 2xx
   * @return a copy
   * @throws IllegalArgumentException when no code is given or a code is out of range
   */
  public HttpCheck expectStatus(int... codes) {
    if (codes.length == 0) {
      throw new IllegalArgumentException("expectStatus needs at least one status code");
    }
    Set<Integer> s = new LinkedHashSet<>();
    for (int c : codes) {
      if (c < 100 || c > 599) {
        throw new IllegalArgumentException("not an HTTP status code: " + c);
      }
      s.add(c);
    }
    return new HttpCheck(method, uri, requestHeaders, requestBody, requestContentType, s, bodyContains,
        bodyPatterns, expectedHeaders, timeout);
  }

  /**
   * Requires the body to contain a text; several calls require all of them.
   *
   * @param text the text, matched case-sensitively against the body read as UTF-8
   * @return a copy
   */
  public HttpCheck bodyContains(String text) {
    List<String> l = new ArrayList<>(bodyContains);
    l.add(Objects.requireNonNull(text, "text"));
    return new HttpCheck(method, uri, requestHeaders, requestBody, requestContentType, statuses, l, bodyPatterns,
        expectedHeaders, timeout);
  }

  /**
   * Requires part of the body to match a pattern ({@link java.util.regex.Matcher#find()}); several calls require
   * all of them.
   *
   * @param pattern the pattern
   * @return a copy
   */
  public HttpCheck bodyMatches(Pattern pattern) {
    List<Pattern> l = new ArrayList<>(bodyPatterns);
    l.add(Objects.requireNonNull(pattern, "pattern"));
    return new HttpCheck(method, uri, requestHeaders, requestBody, requestContentType, statuses, bodyContains, l,
        expectedHeaders, timeout);
  }

  /**
   * Requires part of the body to match a regular expression.
   *
   * @param regex the expression
   * @return a copy
   * @throws java.util.regex.PatternSyntaxException when it does not compile
   */
  public HttpCheck bodyMatches(String regex) {
    return bodyMatches(Pattern.compile(regex));
  }

  /**
   * Requires a response header to have a value: one of the header's values must equal it exactly. Several calls
   * require all of them.
   *
   * @param name the header's name, case-insensitive
   * @param value the expected value
   * @return a copy
   */
  public HttpCheck expectHeader(String name, String value) {
    List<ExpectedHeader> l = new ArrayList<>(expectedHeaders);
    l.add(new ExpectedHeader(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value")));
    return new HttpCheck(method, uri, requestHeaders, requestBody, requestContentType, statuses, bodyContains,
        bodyPatterns, l, timeout);
  }

  /**
   * Adds a request header.
   *
   * @param name the header's name
   * @param value its value
   * @return a copy
   * @throws IllegalArgumentException when the name is not valid or is one the JDK client sets itself ({@code Host},
   *     {@code Connection}, {@code Content-Length}, ...)
   */
  public HttpCheck header(String name, String value) {
    return withHeader(new RequestHeader(name, Objects.requireNonNull(value, "value"), null));
  }

  /**
   * Adds a request header whose value is secret, e.g. {@code Authorization}: it is sent, never printed, and
   * masked in body excerpts.
   *
   * @param name the header's name
   * @param value its value
   * @return a copy
   * @throws IllegalArgumentException when the name is not valid or is one the JDK client sets itself
   */
  public HttpCheck header(String name, Secret value) {
    return withHeader(new RequestHeader(name, null, Objects.requireNonNull(value, "value")));
  }

  /**
   * Sends a body with the request (for {@code POST} or {@code PUT}).
   *
   * @param contentType the {@code Content-Type}, e.g. {@code application/json}
   * @param body the body, sent as UTF-8
   * @return a copy
   */
  public HttpCheck requestBody(String contentType, String body) {
    return new HttpCheck(method, uri, requestHeaders, Objects.requireNonNull(body, "body"),
        Objects.requireNonNull(contentType, "contentType"), statuses, bodyContains, bodyPatterns, expectedHeaders,
        timeout);
  }

  /**
   * Bounds each attempt: connect, response and body together.
   *
   * @param timeout a positive duration; default 5 s
   * @return a copy
   */
  public HttpCheck timeout(Duration timeout) {
    return new HttpCheck(method, uri, requestHeaders, requestBody, requestContentType, statuses, bodyContains,
        bodyPatterns, expectedHeaders, positive(timeout));
  }

  /** @return the request's URL */
  public URI uri() {
    return uri;
  }

  /** @return the per-attempt timeout */
  public Duration timeout() {
    return timeout;
  }

  /** {@code GET http://127.0.0.1:8000/health expects 200, body containing "ok"}; never a header's value. */
  @Override
  public String describe() {
    StringBuilder sb = new StringBuilder(method).append(' ').append(uri).append(" expects ").append(statusText());
    for (String t : bodyContains) {
      sb.append(", body containing ").append(Text.quote(t));
    }
    for (Pattern p : bodyPatterns) {
      sb.append(", body matching /").append(p.pattern()).append('/');
    }
    for (ExpectedHeader h : expectedHeaders) {
      sb.append(", header ").append(h.name).append(": ").append(h.value);
    }
    return sb.toString();
  }

  /** {@link #describe()}. */
  @Override
  public String toString() {
    return describe();
  }

  /**
   * Sends the request once.
   *
   * @param ctx the context (not used: an HTTP GET changes nothing)
   * @return passed when every expectation holds; the detail names the status, the time and, on failure, what
   *     differed and an excerpt of the body
   */
  /** Makes the attempt with the shorter of its own timeout and the time left before the chain's deadline. */
  @Override
  public CheckResult check(RollbackContext ctx, Duration timeLeft) {
    return timeLeft == null || timeLeft.compareTo(timeout) >= 0 ? check(ctx) : timeout(timeLeft).check(ctx);
  }

  @Override
  public CheckResult check(RollbackContext ctx) {
    Http.Response r;
    try {
      r = Http.send(buildRequest(), timeout, Http.MAX_BODY);
    } catch (Http.Failure e) {
      return CheckResult.fail(mask(e.getMessage()));
    }
    String body = r.text();
    List<String> problems = new ArrayList<>();
    boolean statusOk = statuses.isEmpty() ? r.status() >= 200 && r.status() < 300 : statuses.contains(r.status());
    if (!statusOk) {
      problems.add("expected " + statusText());
    }
    for (ExpectedHeader h : expectedHeaders) {
      List<String> seen = r.headers().allValues(h.name);
      if (seen.isEmpty()) {
        problems.add("header " + h.name + " missing, expected " + Text.quote(h.value));
      } else if (!seen.contains(h.value)) {
        problems.add("header " + h.name + " was " + seen.stream().map(Text::quote).collect(Collectors.joining(", "))
            + ", expected " + Text.quote(h.value));
      }
    }
    for (String t : bodyContains) {
      if (!body.contains(t)) {
        problems.add("body does not contain " + Text.quote(t));
      }
    }
    for (Pattern p : bodyPatterns) {
      if (!p.matcher(body).find()) {
        problems.add("body does not match /" + p.pattern() + "/");
      }
    }
    String head = "HTTP " + r.status() + " in " + r.took().toMillis() + " ms";
    if (problems.isEmpty()) {
      return CheckResult.pass(head);
    }
    String excerpt = Text.excerpt(mask(body));
    return CheckResult.fail(mask(head + ", " + String.join("; ", problems)
        + (excerpt.isEmpty() ? "; empty body" : "; body: " + Text.quote(excerpt))));
  }

  private HttpRequest buildRequest() {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout);
    for (RequestHeader h : requestHeaders) {
      b.header(h.name, h.reveal());
    }
    if (requestBody != null) {
      b.header("Content-Type", requestContentType);
      b.method(method, HttpRequest.BodyPublishers.ofString(requestBody));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return b.build();
  }

  private String statusText() {
    if (statuses.isEmpty()) {
      return "2xx";
    }
    return statuses.stream().sorted().map(String::valueOf).collect(Collectors.joining(" or "));
  }

  private String mask(String text) {
    SecretMasker m = SecretMasker.defaults();
    for (RequestHeader h : requestHeaders) {
      m = m.withSecret(h.name, h.secret);
    }
    return m.mask(text);
  }

  private HttpCheck withHeader(RequestHeader h) {
    Objects.requireNonNull(h.name, "name");
    try {
      // The JDK client refuses some names (Host, Connection, ...): say so now, not at the first attempt.
      HttpRequest.newBuilder().header(h.name, "x");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot send request header '" + h.name + "': " + e.getMessage(), e);
    }
    List<RequestHeader> l = new ArrayList<>(requestHeaders);
    l.add(h);
    return new HttpCheck(method, uri, l, requestBody, requestContentType, statuses, bodyContains, bodyPatterns,
        expectedHeaders, timeout);
  }

  static Duration positive(Duration d) {
    Objects.requireNonNull(d, "timeout");
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + d);
    }
    return d;
  }
}
