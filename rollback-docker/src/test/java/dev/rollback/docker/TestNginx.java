package dev.rollback.docker;

import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An nginx master of the test's own ({@code nginx -p <prefix> -c <conf>}), listening on a loopback test port and
 * proxying to the upstream block in {@code <prefix>/upstream.conf}; never the system nginx.
 */
public final class TestNginx implements AutoCloseable {
  private final String binary;
  private final Path prefix;
  private final Path conf;
  /** The upstream file the switch writes. */
  public final Path upstreamFile;
  /** The port nginx listens on (127.0.0.1). */
  public final int port;

  private TestNginx(String binary, Path prefix, int port) {
    this.binary = binary;
    this.prefix = prefix;
    this.conf = prefix.resolve("nginx.conf");
    this.upstreamFile = prefix.resolve("upstream.conf");
    this.port = port;
  }

  /**
   * Writes the config and starts the master.
   *
   * @param binary the nginx binary (env.properties' {@code nginx.binary})
   * @param prefix a fresh directory
   * @param port the listen port on 127.0.0.1
   * @param upstream the first upstream server, {@code host:port}
   * @return the running nginx
   */
  public static TestNginx start(String binary, Path prefix, int port, String upstream) {
    TestNginx n = new TestNginx(binary, prefix, port);
    try {
      Files.createDirectories(prefix.resolve("logs"));
      Files.createDirectories(prefix.resolve("tmp"));
      Files.writeString(n.upstreamFile, NginxUpstreamSwitch.render("app", upstream));
      Files.writeString(n.conf, String.join("\n",
          "worker_processes 1;",
          "pid " + prefix.resolve("nginx.pid") + ";",
          "error_log " + prefix.resolve("logs/error.log") + " warn;",
          "events { worker_connections 1024; }",
          "http {",
          "  access_log off;",
          "  client_body_temp_path " + prefix.resolve("tmp/body") + ";",
          "  proxy_temp_path " + prefix.resolve("tmp/proxy") + ";",
          "  fastcgi_temp_path " + prefix.resolve("tmp/fastcgi") + ";",
          "  uwsgi_temp_path " + prefix.resolve("tmp/uwsgi") + ";",
          "  scgi_temp_path " + prefix.resolve("tmp/scgi") + ";",
          "  include " + n.upstreamFile + ";",
          "  server {",
          "    listen 127.0.0.1:" + port + ";",
          "    location / { proxy_pass http://app; proxy_next_upstream error timeout; }",
          "  }",
          "}", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LocalExecutor.create().run(Command.of(n.argv()).withTimeout(Duration.ofSeconds(10))).requireSuccess();
    DockerFixture.await("nginx listening on " + port, Duration.ofSeconds(10),
        () -> DockerFixture.status("http://127.0.0.1:" + port + "/") != -1);
    return n;
  }

  /** @return {@code [binary, -p, prefix, -c, conf]} */
  public List<String> argv() {
    return List.of(binary, "-p", prefix.toString(), "-c", conf.toString());
  }

  /** @return the URL of a path through the proxy @param path e.g. /health */
  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** Stops the master (and its workers). */
  @Override
  public void close() {
    List<String> stop = new java.util.ArrayList<>(argv());
    stop.addAll(List.of("-s", "stop"));
    LocalExecutor.create().run(Command.of(stop).withTimeout(Duration.ofSeconds(10)));
  }
}
