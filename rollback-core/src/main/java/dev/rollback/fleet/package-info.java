/**
 * Fleet rollback: one plan per host, in waves (a canary first), with bounded parallelism and connections opened
 * in parallel and reused; the first failed wave stops the fleet and its hosts are undone.
 */
package dev.rollback.fleet;
