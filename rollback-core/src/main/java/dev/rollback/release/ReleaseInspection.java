package dev.rollback.release;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a rollback needs from a release directory, read in one remote command ({@link ReleaseDirectory#inspect}):
 * where {@code current} points, every release's id and pin, and for the release to switch to (a given id, or the
 * one before {@code current} as the shell sorts them) its {@code release.json} and the sha256 of the files its
 * {@code release.paths} lists, hashed on the host by {@code sha256sum} so no file crosses the wire.
 *
 * <p>The shell only proposes: the caller picks the target from {@link #state()} by the SDK's own rules and uses
 * these digests only when the shell hashed that same release, listed every recorded file and link, and ran
 * {@code sha256sum}; otherwise it falls back to {@link ReleaseDirectory#verify(Release)}, which streams the files.
 * A value; releases other than the target carry no manifest here.
 *
 * @param state current and every release; only the target's manifest is read
 * @param targetId the release the shell inspected, or null
 * @param requested the files the shell was asked to hash (from {@code release.paths}), in order; null when it
 *     hashed nothing (no {@code release.paths}, no {@code sha256sum}, no manifest)
 * @param digests the sha256 of each requested file that could be read, by path
 * @param links whether each shared link listed in {@code release.paths} resolves, by path
 */
record ReleaseInspection(ReleaseState state, String targetId, List<String> requested, Map<String, String> digests,
    Map<String, Boolean> links) {

  /**
   * The one command. {@code $1} the app root, {@code $2} the target id or empty for the one before current.
   * Prints {@code C\t<link>} (or {@code X} for a current that is not a link), {@code R\t<pinned>\t<id>} per
   * release, then for the target {@code T\t<id>}, {@code M\t<release.json on one line>}, {@code F\t<path>} per
   * file and {@code L1\t<path>}/{@code L0\t<path>} per shared link from {@code release.paths}, then {@code S} and
   * {@code sha256sum}'s output. {@code current} is matched to its release with test's {@code -ef}; its link is
   * read with {@code readlink} only when it names no release. Builtins except {@code tr} and one
   * {@code sha256sum}; paths read from the host are only ever arguments, never code.
   */
  static final String SCRIPT = "cd -- \"$1\" 2>/dev/null || exit 0\n"
      + "LC_ALL=C; export LC_ALL\n"
      + "lk=0; if [ -L current ]; then lk=1; elif [ -e current ]; then echo X; fi\n"
      + "cd releases 2>/dev/null || { [ $lk = 1 ] && printf 'C\\t%s\\n' \"$(readlink ../current)\"; exit 0; }\n"
      + "t=$2; p=; c=\n"
      + "for d in *; do\n"
      + "  [ -d \"$d\" ] || continue\n"
      + "  if [ -e \"$d/" + ReleaseDirectory.PIN_FILE + "\" ]; then printf 'R\\t1\\t%s\\n' \"$d\"; "
      + "else printf 'R\\t0\\t%s\\n' \"$d\"; fi\n"
      // which release current resolves to, by test's -ef (a builtin) rather than a readlink process
      + "  if [ $lk = 1 ] && [ -z \"$c\" ] && [ ../current -ef \"$d\" ]; then c=$d; [ -z \"$2\" ] && t=$p; fi\n"
      + "  p=$d\n"
      + "done\n"
      + "if [ -n \"$c\" ]; then printf 'C\\treleases/%s\\n' \"$c\"; "
      + "elif [ $lk = 1 ]; then printf 'C\\t%s\\n' \"$(readlink ../current)\"; fi\n"
      + "[ -n \"$t\" ] && [ -d \"$t\" ] && cd -- \"$t\" || exit 0\n"
      + "printf 'T\\t%s\\n' \"$t\"\n"
      + "[ -f " + ReleaseManifest.FILE_NAME + " ] || exit 0\n"
      + "printf 'M\\t'; tr -d '\\n' < " + ReleaseManifest.FILE_NAME + "; printf '\\n'\n"
      + "[ -f " + ReleaseManifest.PATHS_FILE + " ] && command -v sha256sum >/dev/null 2>&1 || exit 0\n"
      + "set --\n"
      + "while IFS= read -r l || [ -n \"$l\" ]; do\n"
      + "  case $l in\n"
      + "    'f '*) set -- \"$@\" \"${l#f }\"; printf 'F\\t%s\\n' \"${l#f }\" ;;\n"
      + "    'l '*) if [ -e \"${l#l }\" ]; then printf 'L1\\t%s\\n' \"${l#l }\"; "
      + "else printf 'L0\\t%s\\n' \"${l#l }\"; fi ;;\n"
      + "  esac\n"
      + "done < " + ReleaseManifest.PATHS_FILE + "\n"
      + "echo S\n"
      + "[ \"$#\" -eq 0 ] || sha256sum -- \"$@\" 2>/dev/null\n"
      + "exit 0\n";

  /** Copies. */
  ReleaseInspection {
    requested = requested == null ? null : List.copyOf(requested);
    digests = Map.copyOf(digests);
    links = Map.copyOf(links);
  }

  /**
   * Reads the script's output.
   *
   * @param dir the directory inspected, for {@code current}'s rules and messages
   * @param stdout what the script printed
   * @return the inspection
   * @throws ReleaseIntegrityException when {@code current} is not a link into {@code releases/}
   */
  static ReleaseInspection parse(ReleaseDirectory dir, String stdout) {
    Optional<String> current = Optional.empty();
    List<String[]> releaseLines = new ArrayList<>();
    String target = null;
    ReleaseManifest manifest = null;
    List<String> requested = null;
    Map<String, String> digests = new LinkedHashMap<>();
    Map<String, Boolean> links = new LinkedHashMap<>();
    boolean sums = false;
    for (String line : stdout.split("\n")) {
      if (sums) {
        sum(line, digests);
      } else if (line.equals("X")) {
        throw dir.notASymlink();
      } else if (line.startsWith("C\t")) {
        current = Optional.of(dir.parseCurrent(line.substring(2)));
      } else if (line.startsWith("R\t")) {
        releaseLines.add(line.split("\t", 3));
      } else if (line.startsWith("T\t")) {
        target = line.substring(2);
      } else if (line.startsWith("M\t")) {
        manifest = readable(line.substring(2));
      } else if (line.startsWith("F\t")) {
        if (requested == null) {
          requested = new ArrayList<>();
        }
        requested.add(line.substring(2));
      } else if (line.startsWith("L1\t") || line.startsWith("L0\t")) {
        links.put(line.substring(3), line.charAt(1) == '1');
      } else if (line.equals("S")) {
        sums = true;
        if (requested == null) {
          requested = new ArrayList<>();
        }
      }
    }
    List<Release> releases = new ArrayList<>();
    for (String[] p : releaseLines) {
      if (p.length == 3 && ReleaseId.isValid(p[2])) {
        Optional<ReleaseManifest> m = p[2].equals(target) ? Optional.ofNullable(manifest) : Optional.empty();
        releases.add(new Release(p[2], dir.releasesDir() + "/" + p[2], m, p[1].equals("1")));
      }
    }
    releases.sort((x, y) -> x.id().compareTo(y.id()));
    return new ReleaseInspection(new ReleaseState(dir.releasesDir(), current, releases), target,
        sums ? requested : null, digests, links);
  }

  /**
   * @param id a release id
   * @return true when the shell hashed that release and its {@code release.paths} lists every file and link its
   *     manifest records, so {@link #digests()} and {@link #links()} settle whether it can be trusted
   */
  boolean hashed(String id, ReleaseManifest m) {
    return id.equals(targetId) && requested != null && new HashSet<>(requested).containsAll(m.files().keySet())
        && links.keySet().containsAll(m.sharedLinks());
  }

  /** A line of {@code sha256sum}: GNU's marks a name holding a backslash or newline with a leading backslash. */
  private static void sum(String line, Map<String, String> digests) {
    boolean escaped = line.startsWith("\\");
    String l = escaped ? line.substring(1) : line;
    // "<64 hex>  <name>", or "<64 hex> *<name>" in binary mode
    if (l.length() < 67 || l.charAt(64) != ' ' || (l.charAt(65) != ' ' && l.charAt(65) != '*')) {
      return;
    }
    String name = l.substring(66);
    if (escaped) {
      StringBuilder b = new StringBuilder(name.length());
      for (int i = 0; i < name.length(); i++) {
        char ch = name.charAt(i);
        if (ch == '\\' && i + 1 < name.length()) {
          char next = name.charAt(++i);
          b.append(next == 'n' ? '\n' : next);
        } else {
          b.append(ch);
        }
      }
      name = b.toString();
    }
    digests.put(name, l.substring(0, 64));
  }

  private static ReleaseManifest readable(String json) {
    if (json.isBlank()) {
      return null;
    }
    try {
      return ReleaseManifest.fromJson(json);
    } catch (ReleaseIntegrityException unreadable) {
      return null;
    }
  }
}
