package dev.rollback.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Arguments a naive shell join would mangle, and the bytes a program that prints its argv NUL-separated writes. */
final class NastyArgs {
  static final List<String> ARGS = List.of(
      "two words",
      "it's",
      "say \"hi\"",
      "'single-quoted'",
      "$(id)",
      "`id`",
      "${HOME}",
      "$HOME",
      "a;b",
      "*",
      "a && b || c",
      "x | y > /tmp/never-written < z",
      "line1\nline2\n",
      "tab\there",
      "back\\slash\\",
      "\\'",
      "-n",
      "--version",
      "",
      " ",
      "café 日本 🚀",
      "#not a comment",
      "~",
      "!event",
      "{a,b}",
      "%s %d",
      "\r\u0001\u007f");

  private NastyArgs() {}

  /**
   * @param args the arguments
   * @return what {@code printf '%s\0' args...} writes
   */
  static byte[] nulSeparated(List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String a : args) {
      out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    return out.toByteArray();
  }
}
