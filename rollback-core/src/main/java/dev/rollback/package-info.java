/**
 * The plan engine: {@link dev.rollback.RollbackPlan} composes {@link dev.rollback.RollbackStrategy} steps, a
 * {@link dev.rollback.verify.VerificationChain}, a {@link dev.rollback.lock.TargetLock} and a
 * {@link dev.rollback.journal.Journal}; {@link dev.rollback.RollbackPlan#run()} returns a
 * {@link dev.rollback.RollbackReport} and {@link dev.rollback.RollbackPlan#preview()} a
 * {@link dev.rollback.Preview}. Every exception the SDK throws extends {@link dev.rollback.RollbackException}.
 */
package dev.rollback;
