package dev.rollback.docker;

import dev.rollback.RollbackContext;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Switches an nginx {@code upstream} block kept in a file of its own (included by the server's config): writes the
 * new file atomically (a temporary file in the same directory, then {@code mv}), runs {@code nginx -t}, and
 * reloads. When {@code nginx -t} or the reload fails, the old file is put back (atomically too) and nothing else
 * changed: the running nginx still serves from the old upstream.
 *
 * <p>Every command runs through the given {@link Executor} (local, SSH), wrapped by the run's context so previews
 * record them. The file the switch writes:
 *
 * <pre>
 * # written by rollback NginxUpstreamSwitch: do not edit while a rollback runs
 * upstream app {
 *     server 127.0.0.1:18121;
 * }
 * </pre>
 *
 * <p>Defaults: nginx invoked as {@code nginx} (add {@code -p}/{@code -c} with {@link #nginxCommand(List)}).
 * Immutable.
 */
public final class NginxUpstreamSwitch implements TrafficSwitch {
  private static final Pattern SERVER = Pattern.compile("^\\s*server\\s+([^\\s;]+)[^;]*;", Pattern.MULTILINE);
  private final Executor executor;
  private final String file;
  private final String upstream;
  private final List<String> nginx;

  private NginxUpstreamSwitch(Executor executor, String file, String upstream, List<String> nginx) {
    this.executor = executor;
    this.file = file;
    this.upstream = upstream;
    this.nginx = nginx;
  }

  /**
   * A switch for one upstream block in one file.
   *
   * @param executor where nginx runs
   * @param upstreamFile the file holding only the {@code upstream} block, e.g. {@code /etc/nginx/conf.d/app-upstream.conf}
   * @param upstreamName the block's name, e.g. {@code app}
   * @return the switch
   */
  public static NginxUpstreamSwitch of(Executor executor, String upstreamFile, String upstreamName) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(upstreamFile, "upstreamFile");
    if (upstreamName == null || !upstreamName.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("not an nginx upstream name: '" + upstreamName + "'");
    }
    return new NginxUpstreamSwitch(executor, upstreamFile, upstreamName, List.of("nginx"));
  }

  /**
   * Sets how nginx is invoked; {@code -t} and {@code -s reload} are appended.
   *
   * @param argv e.g. {@code [/usr/sbin/nginx, -p, /srv/proxy, -c, /srv/proxy/nginx.conf]}; default {@code [nginx]}
   * @return a copy
   */
  public NginxUpstreamSwitch nginxCommand(List<String> argv) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("the nginx command needs at least the program");
    }
    return new NginxUpstreamSwitch(executor, file, upstream, List.copyOf(argv));
  }

  /**
   * The file's content for one upstream server.
   *
   * @param name the upstream block's name
   * @param server {@code host:port}
   * @return the content
   */
  public static String render(String name, String server) {
    return "# written by rollback NginxUpstreamSwitch: do not edit while a rollback runs\n"
        + "upstream " + name + " {\n    server " + server + ";\n}\n";
  }

  @Override
  public String describe() {
    return "nginx upstream " + upstream + " in " + file + " on " + executor.describe();
  }

  @Override
  public String current(RollbackContext ctx) {
    String text = read(ctx);
    Matcher m = SERVER.matcher(text);
    if (!m.find()) {
      throw new TrafficSwitchException("no 'server host:port;' line in " + file + " (upstream " + upstream
          + "); write it with NginxUpstreamSwitch.render(name, server) first");
    }
    return m.group(1);
  }

  @Override
  public void switchTo(RollbackContext ctx, String server) {
    if (server == null || !server.matches("[A-Za-z0-9_.:\\[\\]-]+")) {
      throw new IllegalArgumentException("not an upstream address: '" + server + "'");
    }
    Executor ex = ctx.executor(executor);
    String old = read(ctx);
    ctx.action("write " + file + ": upstream " + upstream + " -> " + server);
    write(ex, render(upstream, server));
    ExecResult test = ex.run(Command.of(argv("-t")));
    if (!test.succeeded()) {
      putBack(ctx, ex, old);
      throw new TrafficSwitchException("nginx -t rejected upstream " + server + " in " + file + " ("
          + test.describeEnd() + "): " + tail(test) + "; the old file is back and nginx was not reloaded");
    }
    ExecResult reload = ex.run(Command.of(argv("-s", "reload")));
    if (!reload.succeeded()) {
      putBack(ctx, ex, old);
      throw new TrafficSwitchException("nginx -s reload failed (" + reload.describeEnd() + "): " + tail(reload)
          + "; the old file is back: is the nginx master for this config running?");
    }
  }

  private void putBack(RollbackContext ctx, Executor ex, String old) {
    ctx.action("put the old " + file + " back");
    write(ex, old);
  }

  private String read(RollbackContext ctx) {
    ExecResult r = ctx.executor(executor).run(Command.of("cat", "--", file).readOnly());
    if (!r.succeeded()) {
      throw new TrafficSwitchException("cannot read nginx upstream file " + file + " on " + executor.describe()
          + " (" + r.describeEnd() + "): " + tail(r));
    }
    return r.stdout();
  }

  private void write(Executor ex, String content) {
    // Same directory, then rename: nginx -t or a reload never sees a half-written file.
    ex.run(Command.of("sh", "-c", "cat > \"$1.rollback-tmp\" && mv -f \"$1.rollback-tmp\" \"$1\"", "sh", file)
        .withStdin(content)).requireSuccess();
  }

  private List<String> argv(String... extra) {
    List<String> a = new ArrayList<>(nginx);
    a.addAll(List.of(extra));
    return a;
  }

  private static String tail(ExecResult r) {
    String t = (r.stderr().isBlank() ? r.stdout() : r.stderr()).strip();
    return t.length() > 600 ? "..." + t.substring(t.length() - 600) : t;
  }
}
