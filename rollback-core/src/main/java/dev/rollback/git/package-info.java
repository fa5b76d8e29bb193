/**
 * Git rollbacks (seed 003): {@link dev.rollback.git.GitCheckoutRollback} checks out the last good commit of a
 * working copy, locally or over SSH, and rebuilds; it refuses a working copy with uncommitted changes.
 */
package dev.rollback.git;
