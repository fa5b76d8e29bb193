/**
 * The journal of every rollback: an entry before the first change and one after the last, fsynced, so the next
 * run of a target reports an earlier one that was interrupted.
 */
package dev.rollback.journal;
