#!/usr/bin/env bash
# Runs the quickstart: a release directory, a tiny HTTP service, a broken release, a watchdog, a verified
# rollback. No Docker, no database. Installs a JDK 17 and Maven first when they are missing (Debian/Ubuntu).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
if ! command -v javac >/dev/null 2>&1 || ! javac -version 2>&1 | grep -Eq 'javac (1[7-9]|[2-9][0-9])'; then
  missing+=(openjdk-17-jdk-headless)
fi
command -v mvn >/dev/null 2>&1 || missing+=(maven)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mvn -q -B -pl examples -am package -DskipTests
exec java -cp "examples/target/classes:$(cat examples/target/classpath.txt)" \
  dev.rollback.examples.quickstart.Quickstart "$@"
