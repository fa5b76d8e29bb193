package dev.rollback.lock;

import java.util.regex.Pattern;

/** Target names become file names: letters, digits, {@code . _ @ : -}, not starting with {@code .} or {@code -}. */
final class LockNames {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_@:][A-Za-z0-9._@:-]{0,199}");

  private LockNames() {}

  static String check(String target) {
    if (target == null || !VALID.matcher(target).matches()) {
      throw new IllegalArgumentException("not a valid target name: '" + target
          + "' (use letters, digits, '.', '_', '@', ':', '-'; at most 200; not starting with '.' or '-')");
    }
    return target;
  }
}
