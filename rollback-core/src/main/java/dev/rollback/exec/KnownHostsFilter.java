package dev.rollback.exec;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decides from a known_hosts line's host field alone whether the line can apply to a host, so the keys of lines
 * for other hosts are never decoded. Errs towards keeping: a line it cannot rule out is left to sshj.
 */
final class KnownHostsFilter {
  private KnownHostsFilter() {}

  /**
   * @param line a line of a known_hosts file
   * @param name the host as known_hosts names it, lower case: {@code host}, or {@code [host]:port} off port 22
   * @return false only when the line certainly names other hosts (or is blank or a comment)
   */
  static boolean mayApply(String line, String name) {
    String t = line.strip();
    if (t.isEmpty() || t.startsWith("#")) {
      return false;
    }
    if (t.startsWith("@")) {
      return true; // @cert-authority and @revoked: left to sshj
    }
    int end = 0;
    while (end < t.length() && !Character.isWhitespace(t.charAt(end))) {
      end++;
    }
    String hosts = t.substring(0, end);
    if (hosts.startsWith("|1|")) {
      return hashedNameMatches(hosts, name);
    }
    if (hosts.indexOf('*') >= 0 || hosts.indexOf('?') >= 0 || hosts.indexOf('!') >= 0 || hosts.startsWith("|")) {
      return true;
    }
    for (String h : hosts.split(",")) {
      if (h.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** {@code |1|<base64 salt>|<base64 HMAC-SHA1(salt, name)>}, as {@code ssh-keygen -H} writes it. */
  private static boolean hashedNameMatches(String field, String name) {
    String[] p = field.split("\\|");
    if (p.length != 4) {
      return true;
    }
    try {
      byte[] salt = Base64.getDecoder().decode(p[2]);
      byte[] want = Base64.getDecoder().decode(p[3]);
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(salt, "HmacSHA1"));
      return MessageDigest.isEqual(want, mac.doFinal(name.getBytes(StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return true; // malformed: sshj decides (and skips it as unreadable)
    }
  }
}
