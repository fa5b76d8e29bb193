package dev.rollback.exec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KnownHostsFilterTest {
  private static final String KEY = " ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGhAk91";

  @Test
  void keepsOnlyLinesThatNameTheHost() {
    assertThat(KnownHostsFilter.mayApply("[127.0.0.1]:2301" + KEY, "[127.0.0.1]:2301")).isTrue();
    assertThat(KnownHostsFilter.mayApply("[127.0.0.1]:2302" + KEY, "[127.0.0.1]:2301")).isFalse();
    assertThat(KnownHostsFilter.mayApply("127.0.0.1" + KEY, "[127.0.0.1]:2301")).isFalse();
    assertThat(KnownHostsFilter.mayApply("web1,WEB2.example.com,10.0.0.2" + KEY, "web2.example.com")).isTrue();
    assertThat(KnownHostsFilter.mayApply("web1,web2" + KEY, "web3")).isFalse();
    assertThat(KnownHostsFilter.mayApply("  web3\t" + KEY, "web3")).isTrue();
  }

  @Test
  void leavesPatternsMarkersAndUnreadableLinesToSshj() {
    assertThat(KnownHostsFilter.mayApply("*.example.com" + KEY, "db")).isTrue();
    assertThat(KnownHostsFilter.mayApply("web?,!web9" + KEY, "db")).isTrue();
    assertThat(KnownHostsFilter.mayApply("@cert-authority *.example.com" + KEY, "db")).isTrue();
    assertThat(KnownHostsFilter.mayApply("@revoked db" + KEY, "web")).isTrue();
    assertThat(KnownHostsFilter.mayApply("|1|not base64!|x" + KEY, "db")).isTrue();
    assertThat(KnownHostsFilter.mayApply("", "db")).isFalse();
    assertThat(KnownHostsFilter.mayApply("# [db]:22" + KEY, "db")).isFalse();
  }

  @Test
  void matchesNamesHashedBySshKeygen() {
    // ssh-keygen -H of "[10.0.0.7]:2222 ..." and "web1.example.com ..."
    String hashedPort = "|1|iZGICyw2BOOZ4BTYWpkkWMEs18I=|FT5wwohcsp+G1f98eoZEStuVuUY=";
    String hashedName = "|1|wkaq56p/CHgyAS2dLaBpKYxCRVk=|6tBzqC0/sLpTw6lERqXFMhC8SoY=";
    assertThat(KnownHostsFilter.mayApply(hashedPort + KEY, "[10.0.0.7]:2222")).isTrue();
    assertThat(KnownHostsFilter.mayApply(hashedPort + KEY, "[10.0.0.7]:2223")).isFalse();
    assertThat(KnownHostsFilter.mayApply(hashedName + KEY, "web1.example.com")).isTrue();
    assertThat(KnownHostsFilter.mayApply(hashedName + KEY, "web2.example.com")).isFalse();
  }
}
