/**
 * Release directories ({@code releases/<id>/}, a {@code current} symlink, {@code shared/}) locally or through any
 * executor: the deploy side records releases with checksummed manifests, the rollback side
 * ({@link dev.rollback.release.SymlinkRollback}) switches {@code current} atomically and refuses a release it
 * cannot trust. {@link dev.rollback.release.ReleaseOrder} is the one order of releases (deploy record, then the
 * natural order of ids) for every module. Retention never removes {@code current}, the previous release or a
 * pinned one.
 */
package dev.rollback.release;
