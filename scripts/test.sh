#!/usr/bin/env bash
# The project's test command (CI runs it through .ci/run): provision the real servers with
# scripts/test-env.sh, then run every unit and integration test. With
# -Drollback.it.required=true a missing server fails the build instead of skipping tests.
# Extra arguments go to Maven, e.g. scripts/test.sh -pl rollback-db -am -Dit.test=PostgresRestoreIT
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

# test-env.sh re-executes itself with sudo when not root (keeping ROLLBACK_TEST_DIR), and
# installs maven and openjdk-17-jdk-headless together with the servers (one apt transaction).
scripts/test-env.sh
ENV_FILE="${ROLLBACK_TEST_DIR:-/var/lib/rollback-test}/env.properties"

if ! command -v mvn >/dev/null 2>&1; then
  echo "test.sh: mvn not found after scripts/test-env.sh (package maven)" >&2
  exit 1
fi
# Maven runs on JAVA_HOME, else on the java in PATH: make sure that is a JDK 17 or newer.
jdk_major() { "$1" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\)[^0-9].*/\1/p'; }
if [ -z "${JAVA_HOME:-}" ]; then
  java_bin=$(command -v java || true)
  major=0
  if [ -n "$java_bin" ]; then major=$(jdk_major "$java_bin"); fi
  if [ "${major:-0}" -lt 17 ]; then
    for jdk in /usr/lib/jvm/java-17-openjdk-*; do
      if [ -x "$jdk/bin/javac" ]; then export JAVA_HOME="$jdk"; break; fi
    done
    [ -n "${JAVA_HOME:-}" ] || { echo "test.sh: no JDK 17 found (package openjdk-17-jdk-headless)" >&2; exit 1; }
  fi
fi

exec mvn -B verify -Drollback.it.required=true "-Drollback.test.env=$ENV_FILE" "$@"
