/**
 * Docker volumes and host directories to and from verified tar archives (commons-compress), with sha256
 * manifests and retention that never removes an archive a pending rollback needs.
 */
package dev.rollback.volumes;
