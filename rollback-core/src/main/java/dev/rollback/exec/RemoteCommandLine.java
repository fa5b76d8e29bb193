package dev.rollback.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Turns a {@link Command} into the one string an SSH {@code exec} request carries, and the bytes that must precede
 * the command's own stdin.
 *
 * <p>The server hands the string to the login shell ({@code $SHELL -c}), which must be POSIX (sh, dash, bash, ksh,
 * zsh). The line is a chain of {@code &&}: report the shell's PID on stderr (the
 * executor takes that line out again), change directory, export the plain variables, read each secret from stdin
 * into the environment, then {@code exec} the argv so the shell is replaced and the exit status, signals and
 * process tree are the program's own. Every argument and value is single-quoted ({@link ShellQuote}), so it
 * arrives as the same bytes.
 *
 * <p>Secrets never appear in the line (which any local user can read from {@code /proc/PID/cmdline} on the
 * server): the shell reads them with {@code IFS= read -r}, which on a pipe consumes exactly one line byte by byte,
 * so the rest of stdin is left intact for the program.
 */
final class RemoteCommandLine {
  /** The shell variable a secret passes through between {@code read} and {@code export}. */
  static final String SECRET_VAR = "__rb_s";

  private RemoteCommandLine() {}

  /**
   * The remote command line.
   *
   * @param c the command
   * @param pidMarker when not null, the line first writes {@code <pidMarker> <PID>} on stderr (for
   *     {@link PidLineFilter}), so a timed-out command's process group can be killed; letters, digits and dashes
   * @return the line for the {@code exec} request
   */
  static String of(Command c, String pidMarker) {
    StringBuilder sb = new StringBuilder(128);
    if (pidMarker != null) {
      if (!pidMarker.matches("[A-Za-z0-9-]+")) {
        throw new IllegalArgumentException("marker must be letters, digits and dashes: " + pidMarker);
      }
      sb.append("echo ").append(pidMarker).append(" $$ >&2 && ");
    }
    c.workingDir().ifPresent(d -> sb.append("cd -- ").append(ShellQuote.quote(d)).append(" && "));
    // Names are portable identifiers (Command checks them), so only the value needs quoting. Plain variables come
    // first so a secret of the same name wins, as with LocalExecutor.
    c.env().forEach((k, v) -> sb.append("export ").append(k).append('=').append(ShellQuote.quote(v)).append(" && "));
    for (String name : c.secretEnv().keySet()) {
      sb.append("IFS= read -r ").append(SECRET_VAR).append(" && export ").append(name).append("=\"$")
          .append(SECRET_VAR).append("\" && ");
    }
    if (!c.secretEnv().isEmpty()) {
      sb.append("unset ").append(SECRET_VAR).append(" && ");
    }
    sb.append("exec ").append(ShellQuote.join(c.argv()));
    return sb.toString();
  }

  /**
   * What the executor writes on the channel's stdin before the command's own input: each secret's value and a
   * newline, in the order of {@link Command#secretEnv()}.
   *
   * @param c the command
   * @return the bytes, empty without secrets
   * @throws IllegalArgumentException when a secret contains a newline or NUL, which one {@code read} cannot carry
   */
  static byte[] secretPreamble(Command c) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, Secret> e : c.secretEnv().entrySet()) {
      String v = e.getValue().reveal();
      if (v.indexOf('\n') >= 0 || v.indexOf('\0') >= 0) {
        // The message names the variable only, never the value.
        throw new IllegalArgumentException("secret " + e.getKey()
            + " contains a newline or NUL character; the SSH executor passes secrets as one line"
            + " on stdin and cannot carry those (encode the value, e.g. base64)");
      }
      out.writeBytes(v.getBytes(StandardCharsets.UTF_8));
      out.write('\n');
    }
    return out.toByteArray();
  }
}
