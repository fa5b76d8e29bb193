package dev.rollback.docker;

import dev.rollback.RollbackContext;

/**
 * Points a reverse proxy at one upstream: what {@link BlueGreenRollback} flips from blue to green and back.
 *
 * <p>An implementation either switches completely or leaves the old upstream in place and throws
 * {@link TrafficSwitchException}. In a {@linkplain RollbackContext#dryRun() preview} it changes nothing and
 * records what it would do with {@link RollbackContext#action(String)}.
 */
public interface TrafficSwitch {

  /**
   * One line naming the proxy and where its upstream lives: {@code nginx upstream app in /etc/nginx/conf.d/...}.
   *
   * @return the description
   */
  String describe();

  /**
   * Reads the upstream the proxy sends traffic to now. Reads only; used by preflight to prove the proxy is
   * reachable before anything changes.
   *
   * @param ctx the run's context
   * @return the upstream address, e.g. {@code 127.0.0.1:18121}
   * @throws TrafficSwitchException when the proxy's configuration cannot be read
   */
  String current(RollbackContext ctx);

  /**
   * Sends traffic to another upstream.
   *
   * @param ctx the run's context
   * @param upstream the address, {@code host:port}
   * @throws TrafficSwitchException when the switch was refused; the old upstream is then still in place
   */
  void switchTo(RollbackContext ctx, String upstream);
}
