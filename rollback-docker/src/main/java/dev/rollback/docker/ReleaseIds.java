package dev.rollback.docker;

import java.util.Comparator;

/**
 * Orders release ids as a person reads them: runs of digits by value, the rest as text, so {@code 9 < 10} and
 * {@code 20240115-113000 < 20240116-091500}.
 */
public final class ReleaseIds {
  /** The order: digit runs compared by value, other characters by code point. */
  public static final Comparator<String> ORDER = ReleaseIds::compare;

  private ReleaseIds() {}

  private static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int ei = i;
        while (ei < a.length() && Character.isDigit(a.charAt(ei))) {
          ei++;
        }
        int ej = j;
        while (ej < b.length() && Character.isDigit(b.charAt(ej))) {
          ej++;
        }
        String da = strip(a.substring(i, ei));
        String db = strip(b.substring(j, ej));
        int c = da.length() != db.length() ? Integer.compare(da.length(), db.length()) : da.compareTo(db);
        if (c != 0) {
          return c;
        }
        i = ei;
        j = ej;
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static String strip(String digits) {
    int k = 0;
    while (k < digits.length() - 1 && digits.charAt(k) == '0') {
      k++;
    }
    return digits.substring(k);
  }
}
