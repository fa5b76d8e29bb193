/**
 * Docker strategies: image tags ({@code app:release-<id>}), compose recreate, blue-green with nginx or Caddy
 * traffic switches, swarm service rollback, container checks and the {@code docker exec} executor. Built on
 * docker-java with its zerodep transport.
 */
package dev.rollback.docker;
