package dev.rollback.docker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Masks a container's environment values in text that reaches logs, reports and exceptions (its log lines, the
 * daemon's messages): any value of three or more characters becomes {@code ***}. Longest values first, so a value
 * containing another is masked whole.
 */
final class Masker {
  private final List<String> values;

  Masker(List<String> values) {
    List<String> v = new ArrayList<>();
    for (String s : values) {
      if (s != null && s.length() >= 3) {
        v.add(s);
      }
    }
    v.sort(Comparator.comparingInt(String::length).reversed());
    this.values = List.copyOf(v);
  }

  static Masker none() {
    return new Masker(List.of());
  }

  String mask(String text) {
    if (text == null) {
      return null;
    }
    String t = text;
    for (String v : values) {
      t = t.replace(v, "***");
    }
    return t;
  }
}
