package dev.rollback.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Medians and output: one JSON object and one human line per figure. */
final class Figures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Figures() {}

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Double::compare);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static void print(ObjectNode json, String human) {
    System.out.println(json.toString());
    System.out.println(human);
  }

  static String secs(double s) {
    return String.format(Locale.ROOT, "%.3f s", s);
  }

  static double round(double x) {
    return Math.round(x * 1000) / 1000.0;
  }
}
