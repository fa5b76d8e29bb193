package dev.rollback.exec;

import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.KeyedAuthMethod;

/**
 * Public-key authentication that sends the signed request at once (RFC 4252 section 7 allows it) instead of
 * first asking whether the key would be accepted, as sshj's {@code AuthPublickey} does: one round trip less per
 * connection, which a fleet pays once per host. Used for key files, where there is no agent or token to spare a
 * signature; the signature is the same one the second step would send.
 */
final class SignedPublickey extends KeyedAuthMethod {
  SignedPublickey(KeyProvider key) {
    super("publickey", key);
  }

  @Override
  protected SSHPacket buildReq() throws UserAuthException {
    return putSig(putPubKey(super.buildReq().putBoolean(true)));
  }
}
