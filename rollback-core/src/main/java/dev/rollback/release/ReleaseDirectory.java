package dev.rollback.release;

import dev.rollback.ReleaseNotFoundException;
import dev.rollback.RollbackException;
import dev.rollback.exec.Command;
import dev.rollback.exec.ExecResult;
import dev.rollback.exec.Executor;
import dev.rollback.exec.LocalExecutor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * An app root laid out as Capistrano and Gokku do: {@code releases/<id>/} per deploy, {@code current} a symlink
 * to the active release, {@code shared/} holding files (e.g. {@code .env}) linked into each release.
 *
 * <p>Works locally or on a remote host through any {@link Executor}; the remote side needs only POSIX tools plus
 * {@code mv -T} (GNU coreutils or busybox). Every path and id reaches the remote shell as a positional argument,
 * never spliced into a script. Releases are ordered by {@link ReleaseOrder}: by the deploy sequence
 * {@link #deploy} records in {@code release.json}, releases without one by the natural order of their ids, never
 * by mtime.
 *
 * <p>The switch of {@code current} is atomic: a new symlink is made under a temporary name and renamed over
 * {@code current} ({@code rename(2)}), so a reader always resolves either the old or the new release; a crash
 * between the two leaves {@code current} as it was. Immutable and thread-safe; concurrent writers must hold the
 * target's lock (a {@link dev.rollback.RollbackPlan} does).
 */
public final class ReleaseDirectory {
  /** A file whose presence in a release directory pins it against retention. */
  public static final String PIN_FILE = ".pinned";
  /** Releases kept by {@link #keepLast()}: 5. */
  public static final int DEFAULT_KEEP = 5;

  private final Executor executor;
  private final String root;
  private final Clock clock;

  private ReleaseDirectory(Executor executor, String root, Clock clock) {
    this.executor = Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(root, "root");
    if (root.isEmpty() || root.startsWith("-")) {
      throw new IllegalArgumentException("app root must be a path, was '" + root + "'");
    }
    this.root = root.length() > 1 && root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    this.clock = clock;
  }

  /**
   * A local app root.
   *
   * @param root the app root, e.g. {@code /opt/gokku/apps/api}
   * @return the directory
   */
  public static ReleaseDirectory at(Path root) {
    return new ReleaseDirectory(LocalExecutor.create(), root.toAbsolutePath().normalize().toString(),
        Clock.systemUTC());
  }

  /**
   * An app root on the host an executor reaches.
   *
   * @param executor e.g. an {@link dev.rollback.exec.SshExecutor}
   * @param root the app root's absolute path there
   * @return the directory
   */
  public static ReleaseDirectory at(Executor executor, String root) {
    return new ReleaseDirectory(executor, root, Clock.systemUTC());
  }

  /**
   * The same directory reached through another executor; strategies use it with
   * {@code ctx.executor(dir.executor())} so previews record commands.
   *
   * @param other the executor
   * @return a view of the same root
   */
  public ReleaseDirectory using(Executor other) {
    return new ReleaseDirectory(other, root, clock);
  }

  /**
   * Sets the clock new release ids are read from.
   *
   * @param clock default the UTC system clock
   * @return a copy
   */
  public ReleaseDirectory withClock(Clock clock) {
    return new ReleaseDirectory(executor, root, Objects.requireNonNull(clock, "clock"));
  }

  /** @return the executor it runs commands with */
  public Executor executor() {
    return executor;
  }

  /** @return the app root */
  public String root() {
    return root;
  }

  /** @return {@code <root>/releases} */
  public String releasesDir() {
    return root + "/releases";
  }

  /** @return {@code <root> on <executor>} */
  public String describe() {
    return root + " on " + executor.describe();
  }

  /**
   * Every release, oldest first in {@link ReleaseOrder}. Directories whose names are not valid ids (temporary
   * ones, say) are ignored.
   *
   * @return the releases
   */
  public List<Release> releases() {
    return state().releases();
  }

  /**
   * Reads {@code current} and every release with its manifest, in one command.
   *
   * @return the directory's state now
   * @throws ReleaseIntegrityException when {@code current} exists but is not a link into {@code releases/}
   */
  public ReleaseState state() {
    String script = "cd -- \"$1\" 2>/dev/null || exit 0\n"
        + "if [ -L current ]; then printf 'C\\t%s\\n' \"$(readlink current)\"; elif [ -e current ]; then echo X; fi\n"
        + "cd releases 2>/dev/null || exit 0\n"
        + "for d in *; do\n"
        + "  [ -d \"$d\" ] || continue\n"
        + "  p=0; [ -e \"$d/" + PIN_FILE + "\" ] && p=1\n"
        + "  printf 'R\\t%s\\t%s\\t' \"$p\" \"$d\"\n"
        + "  [ -f \"$d/" + ReleaseManifest.FILE_NAME + "\" ] && tr -d '\\n' < \"$d/" + ReleaseManifest.FILE_NAME
        + "\"\n"
        + "  printf '\\n'\n"
        + "done\n";
    ExecResult r = run(Command.of("sh", "-c", script, "sh", root).readOnly().withCaptureLimit(16 << 20))
        .requireSuccess();
    List<Release> out = new ArrayList<>();
    Optional<String> current = Optional.empty();
    for (String line : r.stdout().split("\n")) {
      if (line.equals("X")) {
        throw notASymlink();
      }
      if (line.startsWith("C\t")) {
        current = Optional.of(parseCurrent(line.substring(2)));
        continue;
      }
      String[] p = line.split("\t", 4);
      if (p.length < 3 || !p[0].equals("R") || !ReleaseId.isValid(p[2])) {
        continue;
      }
      Optional<ReleaseManifest> m = Optional.empty();
      if (p.length == 4 && !p[3].isBlank()) {
        try {
          m = Optional.of(ReleaseManifest.fromJson(p[3]));
        } catch (ReleaseIntegrityException unreadable) {
          m = Optional.empty();
        }
      }
      out.add(new Release(p[2], releasesDir() + "/" + p[2], m, p[1].equals("1")));
    }
    return new ReleaseState(releasesDir(), current, out);
  }

  /** @return the ids of {@link #releases()}, in order */
  public List<String> ids() {
    return releases().stream().map(Release::id).toList();
  }

  /**
   * One release by id.
   *
   * @param id the id
   * @return the release
   * @throws ReleaseNotFoundException listing the ids that exist
   * @throws IllegalArgumentException when the id is not valid
   */
  public Release release(String id) {
    ReleaseId.check(id);
    return state().release(id);
  }

  /**
   * The id {@code current} points at.
   *
   * @return the id, or empty when there is no {@code current} link
   * @throws ReleaseIntegrityException when {@code current} exists but does not point into {@code releases/}
   */
  public Optional<String> currentId() {
    return state().currentId();
  }

  ReleaseIntegrityException notASymlink() {
    return new ReleaseIntegrityException(root + "/current exists but is not a symlink; it must be a link to "
        + "releases/<id> before a rollback can switch it");
  }

  /**
   * Reads, in one command, what a rollback to {@code targetId} (or to the release before {@code current}) needs:
   * see {@link ReleaseInspection}.
   *
   * @param targetId a valid release id, or null for the one before current
   * @return the inspection
   * @throws ReleaseIntegrityException when {@code current} exists but does not point into {@code releases/}
   */
  ReleaseInspection inspect(String targetId) {
    ExecResult r = run(Command.of("sh", "-c", ReleaseInspection.SCRIPT, "sh", root,
        targetId == null ? "" : ReleaseId.check(targetId)).readOnly().withCaptureLimit(64 << 20)).requireSuccess();
    return ReleaseInspection.parse(this, r.stdout());
  }

  String parseCurrent(String link) {
    String target = link.strip();
    while (target.endsWith("/")) {
      target = target.substring(0, target.length() - 1);
    }
    int slash = target.lastIndexOf('/');
    String id = target.substring(slash + 1);
    String parent = slash < 0 ? "" : target.substring(0, slash);
    if (!ReleaseId.isValid(id) || !(parent.equals("releases") || parent.equals(releasesDir()))) {
      throw new ReleaseIntegrityException(root + "/current points at '" + target + "', not at a release under "
          + releasesDir());
    }
    return id;
  }

  /** @return the release {@code current} points at, if any */
  public Optional<Release> current() {
    return state().current();
  }

  /**
   * The release deployed just before {@code current} ({@link ReleaseOrder}): what "roll back to the previous
   * release" means.
   *
   * @return it, or empty when {@code current} is missing or the oldest
   * @throws UnorderedReleasesException when that cannot be told, naming the ids that could not be ordered
   */
  public Optional<Release> previous() {
    return state().previous();
  }

  /**
   * Records a new release: writes its files, links its shared files and writes its {@code release.json} under a
   * hidden temporary name, then renames it into place, so a half-written release never appears under a valid id.
   * The manifest records the deploy: its {@code sequence} is one more than the highest among the releases present
   * and {@code created} the clock's time; {@link ReleaseOrder} orders releases by it. Deploys of one directory
   * must be serial (hold the target's lock), or two may record the same sequence. Does not switch
   * {@code current}: call {@link #activate(String)}.
   *
   * @param spec what the release holds
   * @return the recorded release
   * @throws RollbackException when the id exists already or a write fails
   */
  public Release deploy(ReleaseSpec spec) {
    String id = spec.id() != null ? spec.id() : ReleaseId.now(clock);
    ReleaseState before = state();
    long sequence = 1 + before.releases().stream().mapToLong(r -> r.deploySequence().orElse(0)).max().orElse(0);
    if (before.ids().contains(id)) {
      throw new RollbackException("release " + id + " already exists in " + releasesDir()
          + "; choose another id");
    }
    String partial = releasesDir() + "/.partial-" + id + "-" + UUID.randomUUID().toString().substring(0, 8);
    run(Command.of("mkdir", "-p", "--", partial, root + "/shared")).requireSuccess();
    try {
      Map<String, String> hashes = new LinkedHashMap<>();
      for (ReleaseSpec.FileEntry f : spec.files()) {
        writeFile(partial + "/" + f.path(), f.content(), f.executable());
        hashes.put(f.path(), sha256(f.content()));
      }
      for (String link : spec.sharedLinks()) {
        String up = "../".repeat(link.split("/").length) + "../shared/" + link;
        run(Command.of("sh", "-c", "mkdir -p -- \"$(dirname -- \"$2\")\" && ln -s -- \"$1\" \"$2\"", "sh", up,
            partial + "/" + link)).requireSuccess();
      }
      ReleaseManifest m = new ReleaseManifest(id, sequence, clock.instant(), spec.gitCommitOrNull(),
          spec.imageOrNull(), hashes, spec.sharedLinks());
      writeFile(partial + "/" + ReleaseManifest.PATHS_FILE, m.pathsText().getBytes(StandardCharsets.UTF_8), false);
      writeFile(partial + "/" + ReleaseManifest.FILE_NAME, m.toJson().getBytes(StandardCharsets.UTF_8), false);
      run(Command.of("mv", "-T", "--", partial, releasesDir() + "/" + id)).requireSuccess();
      return new Release(id, releasesDir() + "/" + id, Optional.of(m), false);
    } catch (RuntimeException e) {
      run(Command.of("rm", "-rf", "--", partial));
      throw e;
    }
  }

  /**
   * Points {@code current} at a release, atomically: a new symlink under a temporary name renamed over
   * {@code current}. Leftover temporary links from an interrupted switch are removed first.
   *
   * @param id the release
   * @throws ReleaseNotFoundException when the release does not exist
   */
  public void activate(String id) {
    activate(id, null);
  }

  /**
   * Points {@code current} at a release only if it still names {@code expectedCurrent}: a compare-and-swap, so a
   * rollback never switches away from a release it did not check.
   *
   * @param id the release
   * @param expectedCurrent the release {@code current} must name now, or null to switch whatever it names
   * @throws ReleaseNotFoundException when the release does not exist
   * @throws CurrentMovedException when {@code current} names another release than expected
   */
  public void activate(String id, String expectedCurrent) {
    ReleaseId.check(id);
    if (expectedCurrent != null) {
      ReleaseId.check(expectedCurrent);
    }
    // One shell: the existence check, the compare (test's -ef, a builtin; the link's text only when it does not
    // resolve), the cleanup of an interrupted switch (only when one left a link), then ln and mv: two processes
    // besides the shell on the usual path.
    String script = "cd -- \"$1\" || exit 2; [ -d \"releases/$2\" ] || exit 3; "
        + "if [ -n \"$4\" ] && ! { [ -L current ] && [ current -ef \"releases/$4\" ]; }; then c=$(readlink current); "
        + "[ \"$c\" = \"releases/$4\" ] || [ \"$c\" = \"$1/releases/$4\" ] || { echo \"$c\"; exit 5; }; fi; "
        + "for f in .current.tmp-*; do if [ -L \"$f\" ] || [ -e \"$f\" ]; then rm -f -- .current.tmp-*; fi; break; done; "
        + "ln -s -- \"releases/$2\" \".current.tmp-$3\" || exit 4; mv -Tf -- \".current.tmp-$3\" current";
    ExecResult r = run(Command.of("sh", "-c", script, "sh", root, id, UUID.randomUUID().toString().substring(0, 8),
        expectedCurrent == null ? "" : expectedCurrent));
    if (r.exitCode() == 3) {
      throw new ReleaseNotFoundException("release", id, releasesDir(), ids());
    }
    if (r.exitCode() == 5) {
      throw new CurrentMovedException(root + "/current changed since it was read: expected releases/"
          + expectedCurrent + ", found " + r.stdoutTrimmed() + "; another deploy or rollback ran meanwhile, nothing was"
          + " switched", r.stdoutTrimmed());
    }
    r.requireSuccess();
  }

  /**
   * Checks that a release can be trusted: its {@code release.json} reads, every file it records exists with the
   * recorded sha256, and every shared link resolves.
   *
   * @param id the release
   * @return the release
   * @throws ReleaseNotFoundException when it does not exist
   * @throws ReleaseIntegrityException saying what is missing or differs
   */
  public Release verify(String id) {
    ReleaseInspection in = inspect(ReleaseId.check(id));
    return verify(in.state().release(id), in);
  }

  /**
   * Checks a release with what an {@link #inspect} read: no further command when the host hashed that release's
   * recorded files, else the files are streamed ({@link #verify(Release)}), after a fresh read if the inspection
   * looked at another release.
   *
   * @param r the release, from the inspection's state
   * @param in the inspection
   * @return the release
   * @throws ReleaseIntegrityException saying what is missing or differs
   */
  Release verify(Release r, ReleaseInspection in) {
    if (!r.id().equals(in.targetId())) {
      return verify(state().release(r.id()));
    }
    Optional<ReleaseManifest> m = r.manifest();
    if (m.isPresent() && m.get().id().equals(r.id()) && in.hashed(r.id(), m.get())) {
      ManifestCheck.requireTrusted(r, m.get(), releasesDir(), in.digests()::get,
          link -> Boolean.TRUE.equals(in.links().get(link)));
      return r;
    }
    return verify(r);
  }

  /**
   * Checks a release already read (see {@link #verify(String)}), reading its recorded files in one command and
   * hashing them as they stream.
   *
   * @param r the release, from {@link #state()}
   * @return the release
   * @throws ReleaseIntegrityException saying what is missing or differs
   */
  Release verify(Release r) {
    String id = r.id();
    String manifestPath = r.path() + "/" + ReleaseManifest.FILE_NAME;
    if (r.manifest().isEmpty()) {
      ExecResult exists = run(Command.of("test", "-f", manifestPath).readOnly());
      throw new ReleaseIntegrityException("release " + id + " cannot be trusted: " + manifestPath
          + (exists.succeeded() ? " is not a valid manifest" : " is missing")
          + "; record releases with ReleaseDirectory.deploy, or allow unrecorded releases explicitly");
    }
    ReleaseManifest m = r.manifest().get();
    if (!m.id().equals(id)) {
      throw new ReleaseIntegrityException("release " + id + " cannot be trusted: its manifest names release "
          + m.id());
    }
    List<String> files = new ArrayList<>(m.files().keySet());
    List<String> argv = new ArrayList<>(List.of("sh", "-c", VERIFY_SCRIPT, "sh", r.path()));
    for (String f : files) {
      argv.add(ManifestCheck.recordedPath(id, f));
    }
    argv.add("--");
    for (String link : m.sharedLinks()) {
      argv.add(ManifestCheck.recordedPath(id, link));
    }
    FramedDigests seen = new FramedDigests();
    ExecResult res = run(Command.of(argv).readOnly().withStdout(seen));
    if (!res.succeeded() || seen.malformed() || seen.files.size() != files.size()
        || seen.links.size() != m.sharedLinks().size()) {
      throw new ReleaseIntegrityException("release " + id + " cannot be checked: reading its files in " + r.path()
          + " failed (" + res.describeEnd() + (res.stderr().isBlank() ? "" : ": " + res.stderr().strip()) + ")");
    }
    Map<String, String> byPath = new HashMap<>();
    for (int i = 0; i < files.size(); i++) {
      if (seen.files.get(i) != null) {
        byPath.put(files.get(i), seen.files.get(i));
      }
    }
    ManifestCheck.requireTrusted(r, m, releasesDir(), byPath::get,
        link -> seen.links.get(m.sharedLinks().indexOf(link)));
    return r;
  }

  /** Frames each file as {@code F <size>} and its bytes (or {@code M}), then each link as {@code L1}/{@code L0}. */
  private static final String VERIFY_SCRIPT = "cd -- \"$1\" || exit 2; shift\n"
      + "while [ \"$#\" -gt 0 ] && [ \"$1\" != -- ]; do\n"
      + "  if [ -f \"$1\" ]; then n=$(wc -c < \"$1\"); printf 'F %s\\n' $n; cat -- \"$1\" || exit 6; else echo M; fi\n"
      + "  shift\n"
      + "done\n"
      + "shift\n"
      + "for l in \"$@\"; do if [ -e \"$l\" ]; then echo L1; else echo L0; fi; done\n";

  /** @return {@code keepLast(5)} */
  public RetentionResult keepLast() {
    return keepLast(DEFAULT_KEEP);
  }

  /**
   * Removes all but the newest {@code n} releases in {@link ReleaseOrder}, never removing the release
   * {@code current} names, the one {@link #previous()} names (the rollback target), or a pinned one.
   *
   * @param n releases to keep, at least 1
   * @return what was removed and what was kept, and why
   * @throws UnorderedReleasesException when which releases are oldest cannot be told; nothing is removed
   */
  public RetentionResult keepLast(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("keep at least 1 release, was " + n);
    }
    ReleaseState st = state();
    if (st.releases().size() <= n) {
      return new RetentionResult(List.of(), st.ids(), List.of());
    }
    // refuse before removing anything when the order or the rollback target cannot be told
    List<Release> all = st.order().requireDefinite("which releases are the oldest");
    String cur = st.currentId().orElse(null);
    String prev = st.previous().map(Release::id).orElse(null);
    List<String> removed = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    List<String> protectedIds = new ArrayList<>();
    int cutoff = all.size() - n;
    for (int i = 0; i < all.size(); i++) {
      Release r = all.get(i);
      if (i >= cutoff) {
        kept.add(r.id());
        continue;
      }
      String why = r.id().equals(cur) ? "current" : r.id().equals(prev) ? "previous" : r.pinned() ? "pinned" : null;
      if (why != null) {
        kept.add(r.id());
        protectedIds.add(r.id() + " (" + why + ")");
      } else {
        run(Command.of("rm", "-rf", "--", r.path())).requireSuccess();
        removed.add(r.id());
      }
    }
    return new RetentionResult(removed, kept, protectedIds);
  }

  /**
   * Pins a release so retention keeps it.
   *
   * @param id the release
   */
  public void pin(String id) {
    run(Command.of("touch", "--", release(id).path() + "/" + PIN_FILE)).requireSuccess();
  }

  /**
   * Unpins a release.
   *
   * @param id the release
   */
  public void unpin(String id) {
    run(Command.of("rm", "-f", "--", release(id).path() + "/" + PIN_FILE)).requireSuccess();
  }

  private void writeFile(String path, byte[] content, boolean executable) {
    String script = "mkdir -p -- \"$(dirname -- \"$1\")\" && cat > \"$1\"" + (executable ? " && chmod 755 \"$1\"" : "");
    run(Command.of("sh", "-c", script, "sh", path).withStdin(content)).requireSuccess();
  }

  private ExecResult run(Command c) {
    return executor.run(c);
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
