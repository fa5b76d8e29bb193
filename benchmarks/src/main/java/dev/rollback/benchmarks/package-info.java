/** Programs that measure the SDK against its peers, side by side in one run, and print JSON; not tests. */
package dev.rollback.benchmarks;
