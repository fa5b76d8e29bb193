package dev.rollback.verify;

import dev.rollback.RollbackException;
import java.util.Optional;

/**
 * A Prometheus query gave no usable answer: the server was unreachable, rejected the query (its {@code errorType}
 * and {@code error} are in the message), answered with something that is not the Prometheus API, or returned a
 * result that is not a number where one was needed.
 */
public class PrometheusException extends RollbackException {
  private static final long serialVersionUID = 1L;
  /** Prometheus's {@code errorType}, or null when the server gave none. */
  private final String errorType;

  /**
   * @param message what was asked, what came back, what to do
   * @param errorType Prometheus's {@code errorType} ({@code bad_data}, {@code timeout}, ...), or null
   * @param cause the underlying error, or null
   */
  public PrometheusException(String message, String errorType, Throwable cause) {
    super(message, cause);
    this.errorType = errorType;
  }

  /** @return Prometheus's {@code errorType} when the server answered with an error response */
  public Optional<String> errorType() {
    return Optional.ofNullable(errorType);
  }
}
