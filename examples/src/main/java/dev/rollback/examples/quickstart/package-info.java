/** The quickstart: a release directory, a real child-process service, a watchdog and a drill; no Docker. */
package dev.rollback.examples.quickstart;
