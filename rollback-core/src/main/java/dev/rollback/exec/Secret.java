package dev.rollback.exec;

import java.util.Arrays;
import java.util.Objects;

/**
 * A sensitive value (a password, a token) that never prints: {@link #toString()} is {@code ***}, and the SDK
 * passes it to processes only through their environment or standard input, never their argv.
 *
 * <p>Read the value with {@link #reveal()} at the last moment, where it must reach a process or a protocol.
 * Instances are immutable and thread-safe.
 */
public final class Secret {
  private static final String MASK = "***";
  private final char[] value;

  private Secret(char[] value) {
    this.value = value.clone();
  }

  /**
   * Wraps a value.
   *
   * @param value the secret text, not null
   * @return a secret that prints as {@code ***}
   * @throws NullPointerException if value is null
   */
  public static Secret of(String value) {
    return new Secret(Objects.requireNonNull(value, "value").toCharArray());
  }

  /**
   * Reads a secret from an environment variable of this JVM.
   *
   * @param variable the variable's name
   * @return the secret
   * @throws IllegalArgumentException if the variable is not set (the message names the variable, not a value)
   */
  public static Secret fromEnv(String variable) {
    String v = System.getenv(variable);
    if (v == null) {
      throw new IllegalArgumentException("environment variable " + variable + " is not set");
    }
    return of(v);
  }

  /**
   * The value itself. Call it only where the value must reach a process's environment, its stdin or a protocol.
   *
   * @return the secret text
   */
  public String reveal() {
    return new String(value);
  }

  /**
   * Masks this secret's value in {@code text} by the SDK's one rule, {@link SecretMasker}: every occurrence of a
   * value of 3 or more characters (and of a URL password inside it); a shorter value is not searched for in free
   * text.
   *
   * @param text any text, may be null
   * @return the text with the value masked, or null when text was null
   */
  public String mask(String text) {
    return SecretMasker.defaults().withSecret(this).mask(text);
  }

  /** Always {@code ***}. */
  @Override
  public String toString() {
    return MASK;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret && Arrays.equals(value, ((Secret) o).value);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(value);
  }
}
