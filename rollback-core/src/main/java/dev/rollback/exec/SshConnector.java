package dev.rollback.exec;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.SocketFactory;
import net.schmizz.keepalive.KeepAliveProvider;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.transport.cipher.Cipher;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;
import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts.KnownHostEntry;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.method.AuthKeyboardInteractive;
import net.schmizz.sshj.userauth.method.AuthMethod;
import net.schmizz.sshj.userauth.method.AuthPassword;
import net.schmizz.sshj.userauth.method.PasswordResponseProvider;
import net.schmizz.sshj.userauth.password.PasswordUtils;

/** Opens and authenticates one sshj connection for {@link SshExecutor}, and turns its failures into clear errors. */
final class SshConnector {
  private static volatile DefaultConfig config;
  /** Parsed private keys (unencrypted ones only are read), kept while their file is unchanged. */
  private static final StampedCache<KeyProvider> IDENTITIES = new StampedCache<>(32);

  private SshConnector() {}

  /**
   * Connects, verifies the host key against known_hosts, and authenticates.
   *
   * @param o options with host set
   * @return a connected, authenticated client
   * @throws HostKeyRejectedException when the host key is unknown or changed
   * @throws ExecException for any other failure, naming host and port
   */
  static SSHClient open(SshOptions o) {
    String host = o.host().orElseThrow();
    String where = o.user() + "@" + hostPort(host, o.port());
    SSHClient client = new SSHClient(config());
    client.setSocketFactory(NoDelaySocketFactory.INSTANCE);
    boolean ok = false;
    try {
      int timeoutMs = (int) Math.min(Integer.MAX_VALUE, o.connectTimeout().toMillis());
      client.setConnectTimeout(timeoutMs);
      client.getTransport().setTimeoutMs(timeoutMs);
      client.getConnection().setTimeoutMs(timeoutMs);
      client.getConnection().getKeepAlive().setKeepAliveInterval((int) o.keepAliveInterval().getSeconds());
      RecordingKnownHosts verifier = knownHosts(o, host, where);
      client.addHostKeyVerifier(verifier);
      try {
        client.connect(host, o.port());
      } catch (TransportException e) {
        if (e.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
          throw rejected(host, o.port(), o.knownHosts(), verifier);
        }
        throw new ExecException("cannot connect to " + where + ": SSH handshake failed: " + e.getMessage(), e);
      } catch (IOException e) {
        throw new ExecException("cannot connect to " + where + " within " + o.connectTimeout().toMillis() + " ms: "
            + e, e);
      }
      authenticate(client, o, where);
      ok = true;
      return client;
    } finally {
      if (!ok) {
        closeQuietly(client);
      }
    }
  }

  static void closeQuietly(SSHClient client) {
    try {
      client.close();
    } catch (IOException | RuntimeException ignored) {
      // closing a broken connection: nothing more to tell
    }
  }

  static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static RecordingKnownHosts knownHosts(SshOptions o, String host, String where) {
    Path file = o.knownHosts();
    try {
      return RecordingKnownHosts.read(file, host, o.port());
    } catch (IOException e) {
      throw new ExecException("cannot connect to " + where + ": cannot read known_hosts file " + file + ": "
          + e.getMessage(), e);
    }
  }

  private static HostKeyRejectedException rejected(String host, int port, Path file, RecordingKnownHosts v) {
    String entry = port == 22 ? host : "[" + host + "]:" + port;
    String shown = hostPort(host, port);
    PublicKey key = v.offeredKey;
    String fp = key == null ? null : KeyType.fromKey(key) + " " + fingerprint(key);
    String msg;
    String unreadable = v.skipped == 0 ? "" : " (" + v.skipped + " unreadable line(s) of it were skipped)";
    if (v.changed) {
      msg = "host key of " + shown + " has CHANGED: the server offered " + fp + " but " + file
          + unreadable + " holds a different key for " + entry + ". This is what a man-in-the-middle attack looks like; it is"
          + " also what a reinstalled server looks like. Confirm the new fingerprint out of band, then replace the"
          + " entry (ssh-keygen -R '" + entry + "' -f " + file + ").";
    } else {
      msg = "host key of " + shown + " (" + (fp == null ? "unsupported key type" : fp) + ") is not in known_hosts "
          + file + (Files.exists(file) ? unreadable : " (the file does not exist)") + ": no entry for " + entry
          + ". Confirm the fingerprint out of band, then add the key (e.g. ssh-keyscan"
          + (port == 22 ? "" : " -p " + port) + " " + host + " >> " + file + ").";
    }
    return new HostKeyRejectedException(msg, host, port, fp, file, v.changed);
  }

  /**
   * The key's fingerprint as {@code ssh-keygen -l} prints it.
   *
   * @param key a public key
   * @return {@code SHA256:} and the unpadded base64 of the SHA-256 of the key blob
   */
  static String fingerprint(PublicKey key) {
    try {
      byte[] blob = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static void authenticate(SSHClient client, SshOptions o, String where) {
    List<AuthMethod> methods = new ArrayList<>();
    List<Path> keys = o.effectiveIdentityFiles();
    for (Path key : keys) {
      if (!o.identityFiles().isEmpty() && !Files.isReadable(key)) {
        throw new ExecException("cannot authenticate as " + where + ": private key " + key + " is not readable");
      }
      try {
        methods.add(new SignedPublickey(IDENTITIES.get(key, key.toString(), k -> client.loadKeys(k.toString()))));
      } catch (IOException e) {
        throw new ExecException("cannot authenticate as " + where + ": cannot load private key " + key + ": "
            + e.getMessage(), e);
      }
    }
    o.password().ifPresent(p -> {
      methods.add(new AuthPassword(PasswordUtils.createOneOff(p.reveal().toCharArray())));
      methods.add(new AuthKeyboardInteractive(
          new PasswordResponseProvider(PasswordUtils.createOneOff(p.reveal().toCharArray()))));
    });
    if (methods.isEmpty()) {
      throw new ExecException("cannot authenticate as " + where + ": no private key (none given, and no"
          + " ~/.ssh/id_ed25519, id_ecdsa or id_rsa) and no password");
    }
    try {
      client.auth(o.user(), methods);
    } catch (UserAuthException e) {
      Set<String> allowed = new LinkedHashSet<>(client.getUserAuth().getAllowedMethods());
      String tried = (keys.isEmpty() ? "no keys" : "keys " + keys) + (o.password().isPresent() ? " and a password"
          : "");
      String why = e.getCause() != null && e.getCause().getMessage() != null ? " (" + e.getCause().getMessage()
          + ")" : "";
      throw new ExecException("authentication as " + where + " failed: tried " + tried + why
          + (allowed.isEmpty() ? "" : "; the server accepts " + String.join(", ", allowed)), e);
    } catch (TransportException e) {
      throw new ExecException("connection to " + where + " broke during authentication: " + e.getMessage(), e);
    }
  }

  private static DefaultConfig config() {
    DefaultConfig c = config;
    if (c == null) {
      synchronized (SshConnector.class) {
        c = config;
        if (c == null) {
          c = new FastConfig();
          config = c;
        }
      }
    }
    return c;
  }

  /**
   * sshj's defaults with AES-GCM on the JDK's provider first ({@link JdkAesGcm}): sshj's own first choice,
   * chacha20-poly1305, and every cipher it gets from BouncyCastle are plain Java and several times slower for bulk
   * streams. Keepalive probes expect replies, so a dead peer is noticed.
   */
  private static final class FastConfig extends DefaultConfig {
    FastConfig() {
      setKeepAliveProvider(KeepAliveProvider.KEEP_ALIVE);
    }

    @Override
    protected void initCipherFactories() {
      super.initCipherFactories();
      List<Factory.Named<Cipher>> ordered = new ArrayList<>();
      if (JdkAesGcm.available()) {
        ordered.add(JdkAesGcm.aes128());
        ordered.add(JdkAesGcm.aes256());
      }
      for (Factory.Named<Cipher> f : getCipherFactories()) {
        if (ordered.stream().noneMatch(o -> o.getName().equals(f.getName()))) {
          ordered.add(f);
        }
      }
      setCipherFactories(ordered);
    }
  }

  /**
   * Sockets without Nagle's algorithm: a command's exchange is a handful of small packets (open, exec, EOF, close),
   * and Nagle holding one back until the peer's delayed ACK costs about 40 ms each time.
   */
  private static final class NoDelaySocketFactory extends SocketFactory {
    static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();

    @Override
    public Socket createSocket() throws SocketException {
      Socket s = new Socket();
      s.setTcpNoDelay(true);
      s.setKeepAlive(true);
      return s;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      Socket s = createSocket();
      s.connect(new InetSocketAddress(host, port));
      return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      Socket s = createSocket();
      s.bind(new InetSocketAddress(localHost, localPort));
      s.connect(new InetSocketAddress(host, port));
      return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      Socket s = createSocket();
      s.connect(new InetSocketAddress(host, port));
      return s;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      Socket s = createSocket();
      s.bind(new InetSocketAddress(localAddress, localPort));
      s.connect(new InetSocketAddress(address, port));
      return s;
    }
  }

  /**
   * known_hosts verification that remembers why it refused, so the error can say so. Lines sshj cannot parse are
   * skipped, as OpenSSH does; sshj itself lets some (e.g. an RSA key with an invalid modulus) abort the whole
   * file with an unchecked exception.
   */
  private static final class RecordingKnownHosts extends OpenSSHKnownHosts {
    /** known_hosts entries by file and host name; a fleet of a thousand hosts fits. */
    private static final StampedCache<Parsed> PARSED = new StampedCache<>(4096);

    private record Parsed(List<KnownHostEntry> entries, int skipped) {}

    private volatile PublicKey offeredKey;
    private volatile boolean changed;
    private final Path path;
    private int skipped;

    private RecordingKnownHosts(Path path) throws IOException {
      super(new StringReader(""));
      this.path = path;
    }

    @Override
    public String toString() {
      return "known_hosts " + path;
    }

    /**
     * Reads the entries that can apply to one host: lines naming other hosts are skipped before their keys are
     * decoded (sshj decodes and validates every key of the file, which for a fleet of N hosts sharing one
     * known_hosts is N * N RSA keys). Markers, wildcard patterns and hashed names that match are kept. The parsed
     * entries are kept while the file is unchanged (see {@link StampedCache}).
     */
    static RecordingKnownHosts read(Path file, String host, int port) throws IOException {
      RecordingKnownHosts k = new RecordingKnownHosts(file);
      String lower = host.toLowerCase(Locale.ROOT);
      String name = port == 22 ? lower : "[" + lower + "]:" + port;
      Parsed p = PARSED.get(file, file + "\0" + name, f -> k.parse(f, name));
      k.entries.addAll(p.entries());
      k.skipped = p.skipped();
      return k;
    }

    private Parsed parse(Path file, String name) throws IOException {
      List<KnownHostEntry> out = new ArrayList<>();
      int bad = 0;
      if (Files.exists(file)) {
        OpenSSHKnownHosts.EntryFactory parser = new EntryFactory();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!KnownHostsFilter.mayApply(line, name)) {
            continue;
          }
          try {
            KnownHostEntry entry = parser.parseEntry(line);
            if (entry != null) {
              out.add(entry);
            }
          } catch (IOException | RuntimeException e) {
            bad++;
          }
        }
      }
      return new Parsed(List.copyOf(out), bad);
    }

    // Entries are shared between connections, and a hashed entry's matcher holds a MAC: one check at a time
    @Override
    public boolean verify(String hostname, int port, PublicKey key) {
      synchronized (PARSED) {
        return super.verify(hostname, port, key);
      }
    }

    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
      synchronized (PARSED) {
        return super.findExistingAlgorithms(hostname, port);
      }
    }

    @Override
    protected boolean hostKeyUnverifiableAction(String hostname, PublicKey key) {
      offeredKey = key;
      changed = false;
      return false;
    }

    @Override
    protected boolean hostKeyChangedAction(String hostname, PublicKey key) {
      offeredKey = key;
      changed = true;
      return false;
    }
  }
}
