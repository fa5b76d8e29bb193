/** Runnable programs that show the SDK end to end; the quickstart needs no Docker. */
package dev.rollback.examples;
