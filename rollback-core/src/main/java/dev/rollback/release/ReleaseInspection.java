package dev.rollback.release;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.rollback.internal.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a rollback needs from a release directory, read in one remote command ({@link ReleaseDirectory#inspect}):
 * where {@code current} points, every release's id, pin and deploy record, and for the release to switch to (a
 * given id, or the one the shell proposes as before {@code current}) its {@code release.json} and the sha256 of
 * the files its {@code release.paths} lists, hashed on the host by {@code sha256sum} so no file crosses the wire.
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
   * Prints {@code C\t<link>} (or {@code X} for a current that is not a link), {@code R\t<pinned>\t<id>\t<head>}
   * per release, where head is the first lines of its {@code release.json} up to {@code "files"} (the id and the
   * deploy sequence, read with the shell's own {@code read}), then for the target {@code T\t<id>},
   * {@code M\t<release.json on one line>}, {@code F\t<path>} per file and {@code L1\t<path>}/{@code L0\t<path>}
   * per shared link from {@code release.paths}, then {@code S} and {@code sha256sum}'s output.
   *
   * <p>The target the shell picks is only a proposal, so that the usual rollback needs one command: with deploy
   * records, the release with the highest sequence below current's; without, the one before current in glob
   * order. The SDK orders the releases itself ({@link ReleaseOrder}) and uses the hashes only when the shell
   * inspected the release it chose. {@code current} is matched to its release with test's {@code -ef}; its link is
   * read with {@code readlink} only when it names no release. Builtins except {@code tr} and one
   * {@code sha256sum}; paths read from the host are only ever arguments, never code.
   */
  static final String SCRIPT = "cd -- \"$1\" 2>/dev/null || exit 0\n"
      + "LC_ALL=C; export LC_ALL\n"
      // hd DIR: h = DIR's release.json up to "files" (at most 8 lines), s = the sequence there if a plain number
      + "hd() { h=; s=; n=0; [ -f \"$1/" + ReleaseManifest.FILE_NAME + "\" ] || return 0\n"
      + "  while [ $n -lt 8 ] && IFS= read -r l; do case $l in *'\"files\"'*) break ;; esac; h=$h$l; n=$((n+1));"
      + " done < \"$1/" + ReleaseManifest.FILE_NAME + "\"\n"
      + "  case $h in *'\"sequence\"'*) s=${h#*'\"sequence\"'}; s=${s#*:}; s=${s%%,*}; s=${s%%\\}*};"
      + " s=${s# }; s=${s% } ;; esac\n"
      + "  case $s in ''|*[!0-9]*) s= ;; esac; }\n"
      + "lk=0; if [ -L current ]; then lk=1; elif [ -e current ]; then echo X; fi\n"
      + "cd releases 2>/dev/null || { [ $lk = 1 ] && printf 'C\\t%s\\n' \"$(readlink ../current)\"; exit 0; }\n"
      + "t=$2; p=; c=; cs=; b=\n"
      + "if [ $lk = 1 ] && [ -z \"$2\" ]; then hd ../current; cs=$s; fi\n"
      + "for d in *; do\n"
      + "  [ -d \"$d\" ] || continue\n"
      + "  hd \"$d\"\n"
      + "  if [ -e \"$d/" + ReleaseDirectory.PIN_FILE + "\" ]; then pn=1; else pn=0; fi\n"
      + "  printf 'R\\t%s\\t%s\\t%s\\n' \"$pn\" \"$d\" \"$h\"\n"
      // which release current resolves to, by test's -ef (a builtin) rather than a readlink process
      + "  if [ $lk = 1 ] && [ -z \"$c\" ] && [ ../current -ef \"$d\" ]; then c=$d;"
      + " [ -z \"$2\" ] && [ -z \"$cs\" ] && t=$p; fi\n"
      + "  if [ -z \"$2\" ] && [ -n \"$cs\" ] && [ -n \"$s\" ] && [ \"$s\" -lt \"$cs\" ]"
      + " && { [ -z \"$b\" ] || [ \"$s\" -gt \"$b\" ]; }; then t=$d; b=$s; fi\n"
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
        releaseLines.add(line.split("\t", 4));
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
      if (p.length >= 3 && ReleaseId.isValid(p[2])) {
        String path = dir.releasesDir() + "/" + p[2];
        boolean pinned = p[1].equals("1");
        // the target's record comes from its whole manifest, as ReleaseDirectory.state() reads it; the others'
        // from the head of their release.json
        releases.add(p[2].equals(target) ? new Release(p[2], path, Optional.ofNullable(manifest), pinned)
            : new Release(p[2], path, Optional.empty(), pinned, sequenceIn(p.length == 4 ? p[3] : "", p[2])));
      }
    }
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

  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\")");
  private static final Pattern SEQUENCE = Pattern.compile("\"sequence\"\\s*:\\s*([0-9]{1,18})\\s*[,}]");

  /**
   * The deploy sequence in the head of a {@code release.json}, when that head names this release.
   *
   * @param head the manifest's first lines, up to {@code "files"}
   * @param id the release's directory name
   * @return its sequence, or empty
   */
  static OptionalLong sequenceIn(String head, String id) {
    Matcher i = ID.matcher(head);
    Matcher s = SEQUENCE.matcher(head);
    if (!i.find() || !s.find()) {
      return OptionalLong.empty();
    }
    try {
      long seq = Long.parseLong(s.group(1));
      return id.equals(Json.MAPPER.readValue(i.group(1), String.class)) && seq >= 1 ? OptionalLong.of(seq)
          : OptionalLong.empty();
    } catch (JsonProcessingException | NumberFormatException e) {
      return OptionalLong.empty();
    }
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
