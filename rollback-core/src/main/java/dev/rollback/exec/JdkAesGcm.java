package dev.rollback.exec;

import com.hierynomus.sshj.transport.cipher.GcmCipher;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.SSHRuntimeException;
import net.schmizz.sshj.transport.cipher.Cipher;

/**
 * {@code aes128-gcm@openssh.com} and {@code aes256-gcm@openssh.com} on the JDK's own AES-GCM.
 *
 * <p>With BouncyCastle on the class path, sshj asks it for every cipher, and BouncyCastle's AES-GCM is plain Java:
 * about 100 MB/s here, a third of OpenSSH. The JDK's implementation (SunJCE) runs on the CPU's AES and carry-less
 * multiply instructions. Only the cipher instance changes; the SSH framing is sshj's {@link GcmCipher}.
 */
final class JdkAesGcm implements Factory.Named<Cipher> {
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private final String name;
  private final int keyBytes;

  private JdkAesGcm(String name, int keyBytes) {
    this.name = name;
    this.keyBytes = keyBytes;
  }

  /** @return aes128-gcm@openssh.com */
  static JdkAesGcm aes128() {
    return new JdkAesGcm("aes128-gcm@openssh.com", 16);
  }

  /** @return aes256-gcm@openssh.com */
  static JdkAesGcm aes256() {
    return new JdkAesGcm("aes256-gcm@openssh.com", 32);
  }

  /** @return true when this JVM has AES/GCM without a third-party provider */
  static boolean available() {
    try {
      javax.crypto.Cipher.getInstance(TRANSFORMATION);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public Cipher create() {
    return new GcmCipher(12, 16, keyBytes, "AES", TRANSFORMATION) {
      @Override
      public void init(Mode mode, byte[] key, byte[] iv) {
        try {
          // No provider named: the JDK's own (SunJCE) comes first in the default provider list.
          cipher = javax.crypto.Cipher.getInstance(TRANSFORMATION);
          initCipher(cipher, mode, Arrays.copyOf(key, keyBytes), Arrays.copyOf(iv, 12));
        } catch (GeneralSecurityException e) {
          cipher = null;
          throw new SSHRuntimeException(e);
        }
      }
    };
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }
}
