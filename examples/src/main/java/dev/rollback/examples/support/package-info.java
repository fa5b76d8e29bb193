/**
 * What the seed examples share: the test environment's connection facts, busybox app images, containers, an
 * nginx master and a Caddy server of their own, and small SQL and HTTP helpers. Not part of the SDK.
 */
package dev.rollback.examples.support;
