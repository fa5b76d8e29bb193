#!/usr/bin/env bash
# Runs one seed runbook's example against the real servers of scripts/test-env.sh:
#   scripts/seed.sh 000|001|002|003|004
# Each prints its plan's preview, runs it, prints the report, cleans up after itself, and exits 0 when the
# rollback was verified. Needs /var/lib/rollback-test/env.properties (run scripts/test-env.sh first, root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  000) main=dev.rollback.examples.seed000.Seed000Gokku ;;
  001) main=dev.rollback.examples.seed001.Seed001Rollback ;;
  002) main=dev.rollback.examples.seed002.Seed002Production ;;
  003) main=dev.rollback.examples.seed003.Seed003Jctc ;;
  004) main=dev.rollback.examples.seed004.Seed004Rollback ;;
  *) echo "usage: $0 000|001|002|003|004" >&2; exit 2 ;;
esac

env_file=${ROLLBACK_TEST_ENV:-/var/lib/rollback-test/env.properties}
if [ ! -r "$env_file" ]; then
  echo "$env_file is missing: run scripts/test-env.sh (root or sudo) first" >&2
  exit 1
fi

mvn -q -B -pl examples -am package -DskipTests
exec java -Drollback.test.env="$env_file" -cp "examples/target/classes:$(cat examples/target/classpath.txt)" "$main"
