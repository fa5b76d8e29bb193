/**
 * The verification chain: {@link dev.rollback.verify.Check}s polled with a {@link dev.rollback.verify.Retry}
 * (interval, attempts, deadline) until they pass, never a fixed sleep; every attempt kept in the
 * {@link dev.rollback.verify.VerificationResult}.
 */
package dev.rollback.verify;
