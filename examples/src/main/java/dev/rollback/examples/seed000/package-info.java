/** Seed 000 (Gokku): releases with a {@code current} link, image tags, keep 5, rollback to previous or to an id. */
package dev.rollback.examples.seed000;
