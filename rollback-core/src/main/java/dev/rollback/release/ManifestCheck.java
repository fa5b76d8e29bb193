package dev.rollback.release;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/** Compares what a host holds with a release's manifest, however the host's files were read. */
final class ManifestCheck {
  private ManifestCheck() {}

  /**
   * Throws unless every recorded file exists with its recorded sha256 and every shared link resolves.
   *
   * @param r the release
   * @param m its manifest
   * @param releasesDir for the message
   * @param digestOf the sha256 (hex) of a recorded file as read on the host, or null when it is missing
   * @param resolves whether a recorded shared link resolves on the host
   * @throws ReleaseIntegrityException naming each file that is missing or differs and each dangling link, or a
   *     recorded path that leaves the release
   */
  static void requireTrusted(Release r, ReleaseManifest m, String releasesDir, Function<String, String> digestOf,
      Predicate<String> resolves) {
    m.files().keySet().forEach(f -> recordedPath(r.id(), f));
    m.sharedLinks().forEach(l -> recordedPath(r.id(), l));
    List<String> problems = new ArrayList<>();
    m.files().forEach((f, want) -> {
      String got = digestOf.apply(f);
      if (got == null) {
        problems.add(f + " is missing");
      } else if (!got.equals(want)) {
        problems.add(f + " differs from what was deployed (sha256 " + got.substring(0, 12) + "..., recorded "
            + want.substring(0, Math.min(12, want.length())) + "...)");
      }
    });
    for (String link : m.sharedLinks()) {
      if (!resolves.test(link)) {
        problems.add("shared link " + link + " does not resolve (is shared/" + link + " there?)");
      }
    }
    if (!problems.isEmpty()) {
      throw new ReleaseIntegrityException("release " + r.id() + " in " + releasesDir + " cannot be trusted: "
          + String.join("; ", problems));
    }
  }

  /**
   * A manifest read from the host is not trusted to name paths inside the release.
   *
   * @param id the release, for the message
   * @param path a recorded path
   * @return the path
   * @throws ReleaseIntegrityException when it is absolute, climbs out, or reads as an option
   */
  static String recordedPath(String id, String path) {
    try {
      return ReleaseSpec.checkPath(path);
    } catch (IllegalArgumentException e) {
      throw new ReleaseIntegrityException("release " + id + " cannot be trusted: its manifest records '" + path
          + "', which is not a path inside the release");
    }
  }
}
