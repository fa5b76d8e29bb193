package dev.rollback.examples.support;

import dev.rollback.docker.NginxUpstreamSwitch;
import dev.rollback.exec.Command;
import dev.rollback.exec.LocalExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An nginx master of the example's own ({@code nginx -p <prefix> -c <conf>}, never the system nginx), listening
 * on a loopback port and proxying to the {@code upstream app} block in {@code <prefix>/upstream.conf}, the file
 * {@link NginxUpstreamSwitch} rewrites. Seed 002's {@code /etc/nginx/sites-available/app}.
 */
public final class OwnNginx implements AutoCloseable {
  private final String binary;
  private final Path prefix;
  /** The upstream file the switch owns. */
  public final Path upstreamFile;
  /** The listen port on 127.0.0.1. */
  public final int port;

  private OwnNginx(String binary, Path prefix, int port) {
    this.binary = binary;
    this.prefix = prefix;
    this.upstreamFile = prefix.resolve("upstream.conf");
    this.port = port;
  }

  /**
   * Writes the config and starts the master.
   *
   * @param binary the nginx binary (env.properties' {@code nginx.binary})
   * @param prefix a fresh directory
   * @param port the listen port on 127.0.0.1
   * @param upstream the first upstream server, host:port
   * @return the running nginx
   */
  public static OwnNginx start(String binary, Path prefix, int port, String upstream) {
    OwnNginx n = new OwnNginx(binary, prefix, port);
    try {
      Files.createDirectories(prefix.resolve("logs"));
      Files.createDirectories(prefix.resolve("tmp"));
      Files.writeString(n.upstreamFile, NginxUpstreamSwitch.render("app", upstream));
      StringBuilder temp = new StringBuilder();
      for (String t : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
        temp.append("  ").append(t).append("_temp_path ").append(prefix.resolve("tmp/" + t)).append(";\n");
      }
      Files.writeString(prefix.resolve("nginx.conf"), "worker_processes 1;\n"
          + "pid " + prefix.resolve("nginx.pid") + ";\n"
          + "error_log " + prefix.resolve("logs/error.log") + " warn;\n"
          + "events { worker_connections 256; }\n"
          + "http {\n  access_log off;\n" + temp
          + "  include " + n.upstreamFile + ";\n"
          + "  server {\n    listen 127.0.0.1:" + port + ";\n"
          + "    location / { proxy_pass http://app; proxy_next_upstream error timeout; }\n  }\n}\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LocalExecutor.create().run(Command.of(n.argv()).withTimeout(Duration.ofSeconds(10))).requireSuccess();
    Web.await("nginx listening on " + port, Duration.ofSeconds(10), () -> Web.status(n.url("/")) != -1);
    return n;
  }

  /** @return {@code [binary, -p, prefix, -c, conf]}, for {@link NginxUpstreamSwitch#nginxCommand(List)} */
  public List<String> argv() {
    return List.of(binary, "-p", prefix.toString(), "-c", prefix.resolve("nginx.conf").toString());
  }

  /** @param path e.g. /health @return the URL through the proxy */
  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** Stops the master and its workers. */
  @Override
  public void close() {
    List<String> stop = new ArrayList<>(argv());
    stop.addAll(List.of("-s", "stop"));
    LocalExecutor.create().run(Command.of(stop).withTimeout(Duration.ofSeconds(10)));
  }
}
