#!/usr/bin/env bash
# Provision the real servers that rollback's integration tests talk to.
#
# Idempotent, for Debian/Ubuntu, runs as root (re-executes itself with sudo otherwise).
# Installs what is missing (one `apt-get update`, only when something is missing), starts
# what is not running, writes $ROLLBACK_TEST_DIR/env.properties and prints one line per
# server. On a machine that is already ready it only probes, and finishes in a few seconds.
#
#   Docker Engine (dockerd; also over TLS on 127.0.0.1:2376), docker-compose (v1), PostgreSQL, MariaDB,
#   OpenSSH server on 127.0.0.1:2222 (its own config and keys), nginx, Caddy, Prometheus.
#
# No daemon is managed by systemd here: each one is started directly in the background,
# with its log under $ROLLBACK_TEST_DIR/logs/. No container registry is needed: the test
# base image rollback-test/busybox:latest is built FROM scratch with busybox-static.
#
# Environment:
#   ROLLBACK_TEST_DIR                state directory (default /var/lib/rollback-test)
#   ROLLBACK_DOCKER_STORAGE_DRIVER   force a dockerd storage driver (default: overlay2, then vfs)
#   ROLLBACK_PG_VERSION              PostgreSQL major version (default: 15 if installed or
#                                    installable, else the newest installed)
set -euo pipefail
set -o errtrace

if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "test-env: must run as root, and sudo is not installed" >&2
    exit 1
  fi
  exec sudo -- env "ROLLBACK_TEST_DIR=${ROLLBACK_TEST_DIR:-}" \
    "ROLLBACK_DOCKER_STORAGE_DRIVER=${ROLLBACK_DOCKER_STORAGE_DRIVER:-}" \
    "ROLLBACK_PG_VERSION=${ROLLBACK_PG_VERSION:-}" \
    bash "$(readlink -f "$0")" "$@"
fi

export LC_ALL=C
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"
umask 022

DIR="${ROLLBACK_TEST_DIR:-/var/lib/rollback-test}"
LOG="$DIR/logs"
ENV_FILE="$DIR/env.properties"
SSHD_DIR="$DIR/ssh"
SSH_PORT=2222
DOCKER_SOCK=/var/run/docker.sock
DOCKER_PIDFILE=/var/run/docker.pid
DOCKER_TLS_DIR="$DIR/docker-tls"
DOCKER_TLS_PORT=2376
BUSYBOX_IMAGE=rollback-test/busybox:latest
MARIADB_PORT=3306
NGINX_CONF=/etc/nginx/nginx.conf
CADDY_ADMIN=http://localhost:2019
PROM_URL=http://127.0.0.1:9090
PROM_SCRAPE_PORT=19091
PROM_SCRAPE_INTERVAL_MS=1000

export DOCKER_HOST="unix://$DOCKER_SOCK"

# The user who ran us through sudo gets read access to the client side (env file, client keys,
# passwords), so that `mvn` can run as that user.
CLIENT_UID="${SUDO_UID:-0}"
CLIENT_GID="${SUDO_GID:-0}"

STEP=setup        # the server being worked on, for error messages
STEP_LOG=""       # its log file
SUMMARY=()

# ---------------------------------------------------------------------------------------------
# helpers

log() { printf 'test-env: %s\n' "$*" >&2; }

show_log_tail() {
  local file=$1
  if [ -n "$file" ] && [ -e "$file" ]; then
    printf -- '--- last 40 lines of %s ---\n' "$file" >&2
    tail -n 40 "$file" >&2 || true
    printf -- '---\n' >&2
  fi
}

# fail MESSAGE...: report the failing server, the tail of its log, and exit non-zero.
fail() {
  trap - ERR
  printf 'test-env: %s FAILED: %s\n' "$STEP" "$*" >&2
  show_log_tail "$STEP_LOG"
  exit 1
}

on_error() {
  local rc=$? line=$1 cmd=$2
  trap - ERR
  printf 'test-env: %s FAILED: command exited with %s at line %s: %s\n' "$STEP" "$rc" "$line" "$cmd" >&2
  show_log_tail "$STEP_LOG"
  exit "$rc"
}
trap 'on_error "$LINENO" "$BASH_COMMAND"' ERR

step() { STEP=$1; STEP_LOG=${2:-}; }

# wait_for SECONDS PID COMMAND...: poll COMMAND (every 0.25 s) until it succeeds.
# Returns 1 when the deadline passes, 2 as soon as PID (if not empty) has exited;
# WAIT_REASON then says which, for the error message.
WAIT_REASON=""
wait_for() {
  local timeout=$1 pid=$2 deadline
  shift 2
  deadline=$((SECONDS + timeout))
  while ! "$@"; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      "$@" && return 0
      WAIT_REASON="the process (pid $pid) exited"
      return 2
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      WAIT_REASON="no answer within $timeout s"
      return 1
    fi
    sleep 0.25
  done
}

# start_bg LOGFILE COMMAND...: start a daemon in its own session, detached from this script,
# appending to LOGFILE. Sets BG_PID.
start_bg() {
  local logfile=$1
  shift
  printf '=== %s starting: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$logfile"
  # Not a process-group leader here, so setsid does not fork and $! is the daemon's pid.
  setsid nohup "$@" >>"$logfile" 2>&1 </dev/null 9>&- &
  BG_PID=$!
}

# stop_pid PID: stop a daemon this script started (TERM, then KILL after 30 s).
stop_pid() {
  local pid=$1 deadline
  kill "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      kill -9 "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.25
  done
}

# pid_from_file FILE NAME: print the pid in FILE if that process is alive and is NAME.
pid_from_file() {
  local file=$1 name=$2 pid
  [ -r "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] || return 1
  [ "$(cat "/proc/$pid/comm")" = "$name" ] || return 1
  echo "$pid"
}

port_listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# secret FILE: print the password stored in FILE, generating it (mode 600) on first use.
secret() {
  local file=$1 value
  if [ ! -s "$file" ]; then
    value=$(head -c 18 /dev/urandom | base64 | tr -d '\n' | tr '+/' 'Kq')
    (umask 077 && printf '%s\n' "$value" >"$file.tmp" && mv -f "$file.tmp" "$file")
  fi
  chmod 600 "$file"
  head -n 1 "$file" | tr -d '\n'
}

# write_if_changed FILE MODE: write stdin to FILE atomically; return 0 when the content changed.
write_if_changed() {
  local file=$1 mode=$2 tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp"
  if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
    chmod "$mode" "$file"
    return 1
  fi
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$file"
  return 0
}

summary() { SUMMARY+=("$(printf '%-11s %-3s %-15s %s' "$1" ok "$2" "$3")"); }

give_to_client() {
  if [ "$CLIENT_UID" != 0 ]; then
    chown "$CLIENT_UID:$CLIENT_GID" "$@"
  fi
}

# ---------------------------------------------------------------------------------------------
# state directory and lock

mkdir -p "$DIR" "$LOG"
chmod 755 "$DIR" "$LOG"

# Two runs at once (two builds) must not race each other. Every daemon is started with fd 9
# closed (9>&-): a daemon that inherited it would hold this lock for as long as it runs.
LOCK_FILE="$DIR/test-env.lock"
exec 9>"$LOCK_FILE"
if ! flock -n 9; then
  log "waiting for another test-env.sh to finish (lock $LOCK_FILE)"
  flock -w 600 9 || fail "another test-env.sh holds $LOCK_FILE for more than 600 s"
fi

# ---------------------------------------------------------------------------------------------
# packages

step packages
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  fail "this script supports Debian/Ubuntu (apt-get and dpkg) only"
fi

# One entry per need; "a|b" means any of them will do (the first one available is installed).
NEEDS=(
  "docker.io|docker-ce" "docker-compose" "busybox-static" "iptables" "tini|docker-ce"
  "postgresql-${ROLLBACK_PG_VERSION:-15}|postgresql" "postgresql-client-${ROLLBACK_PG_VERSION:-15}|postgresql-client"
  "mariadb-server" "mariadb-client"
  "openssh-server" "openssh-client"
  "nginx-light|nginx|nginx-core"
  "caddy" "prometheus"
  "iproute2" "procps" "curl" "ca-certificates" "git" "util-linux" "openssl"
  # the build itself: scripts/test.sh runs Maven on JDK 17
  "maven" "openjdk-17-jdk-headless"
)
# Without systemd, nothing may have mounted the cgroup hierarchy that dockerd needs.
if [ -z "$(ls -A /sys/fs/cgroup 2>/dev/null)" ]; then
  NEEDS+=("cgroupfs-mount")
fi

declare -A INSTALLED=()
all_names=()
for need in "${NEEDS[@]}"; do
  IFS='|' read -r -a alts <<<"$need"
  all_names+=("${alts[@]}")
done
while read -r name status; do
  if [ "$status" = installed ]; then INSTALLED[$name]=1; fi
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${all_names[@]}" 2>/dev/null || true)

missing=()
for need in "${NEEDS[@]}"; do
  IFS='|' read -r -a alts <<<"$need"
  have=0
  for p in "${alts[@]}"; do
    if [ -n "${INSTALLED[$p]:-}" ]; then have=1; break; fi
  done
  [ "$have" = 1 ] || missing+=("$need")
done

if [ "${#missing[@]}" -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -q
  to_install=()
  for need in "${missing[@]}"; do
    IFS='|' read -r -a alts <<<"$need"
    chosen=""
    for p in "${alts[@]}"; do
      candidate=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2; exit}')
      if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then chosen=$p; break; fi
    done
    [ -n "$chosen" ] || fail "no package available for: $need"
    to_install+=("$chosen")
  done
  # Keep package scripts from starting services: this script starts (and owns) every daemon.
  policy_created=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy_created=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  install_rc=0
  apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${to_install[@]}" || install_rc=$?
  if [ "$policy_created" = 1 ]; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
  [ "$install_rc" = 0 ] || fail "apt-get install ${to_install[*]} exited with $install_rc"
fi

# ---------------------------------------------------------------------------------------------
# Docker Engine

step docker "$LOG/dockerd.log"

if [ -z "$(ls -A /sys/fs/cgroup 2>/dev/null)" ] && command -v cgroupfs-mount >/dev/null 2>&1; then
  cgroupfs-mount
fi

docker_answers() { timeout 10 docker info >/dev/null 2>&1; }

busybox_binary() {
  local b
  for b in /bin/busybox /usr/bin/busybox; do
    if [ -x "$b" ]; then echo "$b"; return 0; fi
  done
  return 1
}

# The test base image: FROM scratch, a static busybox and its applets in /bin (sh, httpd, wget...).
ensure_busybox_image() {
  docker image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1 && return 0
  local ctx bb rc=0
  bb=$(busybox_binary) || { log "busybox binary not found (package busybox-static)"; return 1; }
  ctx=$(mktemp -d)
  cp "$bb" "$ctx/busybox"
  cat >"$ctx/Dockerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && /bin/busybox mkdir -p -m 1777 /tmp && /bin/busybox mkdir -p /www"]
ENV PATH=/bin
LABEL dev.rollback.test="true"
CMD ["/bin/sh"]
EOF
  printf '=== %s building %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$BUSYBOX_IMAGE" >>"$LOG/docker-build.log"
  DOCKER_BUILDKIT=0 docker build --network=none -t "$BUSYBOX_IMAGE" "$ctx" >>"$LOG/docker-build.log" 2>&1 || rc=$?
  rm -rf "$ctx"
  if [ "$rc" != 0 ]; then
    log "docker build of $BUSYBOX_IMAGE failed (see $LOG/docker-build.log)"
    tail -n 20 "$LOG/docker-build.log" >&2 || true
  fi
  return "$rc"
}

# The storage driver and the runtime work: build the image if needed and run a container.
docker_smoke() {
  ensure_busybox_image || return 1
  timeout 60 docker run --rm --network=none "$BUSYBOX_IMAGE" /bin/busybox true >>"$LOG/dockerd.log" 2>&1
}

# Docker over TLS, as `docker -H tcp://... --tlsverify` uses it: under $DOCKER_TLS_DIR
#   ca.pem, ca-key.pem                      the test CA (its key stays root's)
#   server-cert.pem, server-key.pem         dockerd's certificate (SAN IP:127.0.0.1, DNS:localhost)
#   client/{ca.pem,cert.pem,key.pem}        a DOCKER_CERT_PATH for the client (key.pem is the SUDO user's)
#   other-ca/ca.pem, other-ca/ca-key.pem    a second, unrelated CA: a client trusting it must be refused
# Made once; a certificate is remade when it no longer verifies against its CA (new CA, expired).
tls_new_ca() { # tls_new_ca DIR SUBJECT_CN
  local dir=$1 cn=$2
  if [ -s "$dir/ca.pem" ] && [ -s "$dir/ca-key.pem" ] \
      && openssl x509 -checkend 86400 -noout -in "$dir/ca.pem" >/dev/null 2>&1; then
    return 0
  fi
  log "making TLS CA $dir/ca.pem"
  mkdir -p "$dir"
  (umask 077 && openssl genrsa -out "$dir/ca-key.pem" 2048 2>>"$LOG/docker-tls.log")
  openssl req -new -x509 -sha256 -days 3650 -key "$dir/ca-key.pem" -out "$dir/ca.pem" \
    -subj "/CN=$cn" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>>"$LOG/docker-tls.log"
  chmod 600 "$dir/ca-key.pem"
  chmod 644 "$dir/ca.pem"
}
tls_new_cert() { # tls_new_cert CA_DIR CERT KEY SUBJECT_CN EXTENSIONS
  local ca=$1 cert=$2 key=$3 cn=$4 ext=$5 csr extfile
  if [ -s "$cert" ] && [ -s "$key" ] && openssl verify -CAfile "$ca/ca.pem" "$cert" >/dev/null 2>&1 \
      && openssl x509 -checkend 86400 -noout -in "$cert" >/dev/null 2>&1; then
    return 0
  fi
  log "making TLS certificate $cert ($cn)"
  csr=$(mktemp)
  extfile=$(mktemp)
  printf '%s\n' "$ext" >"$extfile"
  rm -f "$key"
  (umask 077 && openssl genrsa -out "$key" 2048 2>>"$LOG/docker-tls.log")
  openssl req -new -sha256 -key "$key" -subj "/CN=$cn" -out "$csr" 2>>"$LOG/docker-tls.log"
  openssl x509 -req -sha256 -days 825 -in "$csr" -CA "$ca/ca.pem" -CAkey "$ca/ca-key.pem" \
    -set_serial "0x$(openssl rand -hex 16)" -extfile "$extfile" -out "$cert" 2>>"$LOG/docker-tls.log"
  rm -f "$csr" "$extfile"
  chmod 600 "$key"
  chmod 644 "$cert"
}
ensure_docker_tls() {
  mkdir -p "$DOCKER_TLS_DIR" "$DOCKER_TLS_DIR/client"
  chmod 755 "$DOCKER_TLS_DIR" "$DOCKER_TLS_DIR/client"
  tls_new_ca "$DOCKER_TLS_DIR" "rollback-test Docker CA"
  tls_new_ca "$DOCKER_TLS_DIR/other-ca" "rollback-test unrelated CA"
  chmod 755 "$DOCKER_TLS_DIR/other-ca"
  tls_new_cert "$DOCKER_TLS_DIR" "$DOCKER_TLS_DIR/server-cert.pem" "$DOCKER_TLS_DIR/server-key.pem" localhost \
    "$(printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'extendedKeyUsage=serverAuth' \
        'keyUsage=critical,digitalSignature,keyEncipherment')"
  tls_new_cert "$DOCKER_TLS_DIR" "$DOCKER_TLS_DIR/client/cert.pem" "$DOCKER_TLS_DIR/client/key.pem" rollback-test-client \
    "$(printf '%s\n' 'extendedKeyUsage=clientAuth' 'keyUsage=critical,digitalSignature,keyEncipherment')"
  cp -f "$DOCKER_TLS_DIR/ca.pem" "$DOCKER_TLS_DIR/client/ca.pem"
  chmod 644 "$DOCKER_TLS_DIR/client/ca.pem"
  give_to_client "$DOCKER_TLS_DIR/client/key.pem" "$DOCKER_TLS_DIR/client/cert.pem"
}

# The TLS listener answers a client that presents the test client certificate (the docker CLI's own
# DOCKER_TLS_VERIFY/DOCKER_CERT_PATH convention).
docker_tls_answers() {
  DOCKER_HOST="tcp://127.0.0.1:$DOCKER_TLS_PORT" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$DOCKER_TLS_DIR/client" \
    timeout 10 docker info >/dev/null 2>&1
}

daemon_json_sets() { [ -f /etc/docker/daemon.json ] && grep -q "\"$1\"" /etc/docker/daemon.json; }

start_dockerd() {
  local driver=$1 args=("--host=unix://$DOCKER_SOCK" "--pidfile=$DOCKER_PIDFILE"
    "--host=tcp://127.0.0.1:$DOCKER_TLS_PORT" --tlsverify "--tlscacert=$DOCKER_TLS_DIR/ca.pem"
    "--tlscert=$DOCKER_TLS_DIR/server-cert.pem" "--tlskey=$DOCKER_TLS_DIR/server-key.pem")
  [ -n "$driver" ] && args+=("--storage-driver=$driver")
  # dockerd refuses to start when its pid file names any live process (e.g. a reused pid).
  if [ -e "$DOCKER_PIDFILE" ] && ! pid_from_file "$DOCKER_PIDFILE" dockerd >/dev/null; then
    rm -f "$DOCKER_PIDFILE"
  fi
  start_bg "$LOG/dockerd.log" dockerd "${args[@]}"
}

ensure_docker_tls

# A dockerd from before the TLS listener (or with other certificates): restart it once with it. Its
# running containers stop; nothing of this script's needs them.
if docker_answers && ! docker_tls_answers; then
  if pid=$(pid_from_file "$DOCKER_PIDFILE" dockerd); then
    log "dockerd (pid $pid) does not answer over TLS on 127.0.0.1:$DOCKER_TLS_PORT: restarting it with that listener"
    stop_pid "$pid"
  else
    fail "a dockerd answers on $DOCKER_SOCK, but not over TLS on 127.0.0.1:$DOCKER_TLS_PORT, and it is not the one in $DOCKER_PIDFILE: stop it and run again"
  fi
fi

if docker_answers; then
  docker_smoke || fail "dockerd answers but cannot build/run $BUSYBOX_IMAGE"
elif pid=$(pid_from_file "$DOCKER_PIDFILE" dockerd); then
  log "dockerd (pid $pid) is starting; waiting"
  wait_for 60 "$pid" docker_answers || fail "dockerd (pid $pid) did not answer 'docker info': $WAIT_REASON"
  docker_smoke || fail "dockerd answers but cannot build/run $BUSYBOX_IMAGE"
else
  if daemon_json_sets storage-driver; then
    drivers=("")                                   # /etc/docker/daemon.json decides
  elif [ -n "${ROLLBACK_DOCKER_STORAGE_DRIVER:-}" ]; then
    drivers=("$ROLLBACK_DOCKER_STORAGE_DRIVER")
  elif [ -s "$DIR/docker.storage-driver" ]; then
    drivers=("$(cat "$DIR/docker.storage-driver")")  # what worked before
  else
    drivers=(overlay2 vfs)
  fi
  docker_ok=0
  for driver in "${drivers[@]}"; do
    log "starting dockerd${driver:+ --storage-driver=$driver} (log: $LOG/dockerd.log)"
    start_dockerd "$driver"
    rc=0
    wait_for 60 "$BG_PID" docker_answers || rc=$?
    if [ "$rc" = 0 ] && docker_smoke; then
      docker_ok=1
      [ -n "$driver" ] && echo "$driver" >"$DIR/docker.storage-driver"
      break
    fi
    if [ "$rc" = 0 ]; then
      log "dockerd${driver:+ with $driver} answers but cannot build/run a container"
    else
      log "dockerd${driver:+ with $driver} did not answer 'docker info': $WAIT_REASON"
    fi
    stop_pid "$BG_PID"
  done
  [ "$docker_ok" = 1 ] || fail "dockerd did not come up (tried storage drivers: ${drivers[*]:-default})"
fi

wait_for 30 "" docker_tls_answers || {
  err=$(DOCKER_HOST="tcp://127.0.0.1:$DOCKER_TLS_PORT" DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$DOCKER_TLS_DIR/client" \
    timeout 10 docker info 2>&1 >/dev/null | tail -n 3)
  fail "dockerd does not answer over TLS on tcp://127.0.0.1:$DOCKER_TLS_PORT: $err"
}
docker_version=$(docker version -f '{{.Server.Version}}')
docker_driver=$(docker info -f '{{.Driver}}')
summary docker "$docker_version" "unix://$DOCKER_SOCK (storage $docker_driver, image $BUSYBOX_IMAGE)"
summary docker-tls "$docker_version" "tcp://127.0.0.1:$DOCKER_TLS_PORT (DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$DOCKER_TLS_DIR/client)"

if [ "$CLIENT_UID" != 0 ] && [ -n "${SUDO_USER:-}" ] && [[ " $(id -nG "$SUDO_USER") " != *" docker "* ]]; then
  log "note: $SUDO_USER is not in group 'docker'; tests run as $SUDO_USER cannot use $DOCKER_SOCK (usermod -aG docker $SUDO_USER)"
fi

# ---------------------------------------------------------------------------------------------
# docker-compose (v1)

step compose "$LOG/dockerd.log"
compose_version=$(docker-compose version --short 2>/dev/null) || fail "docker-compose does not run"
summary compose "$compose_version" "docker-compose"

# ---------------------------------------------------------------------------------------------
# PostgreSQL

if [ -n "${ROLLBACK_PG_VERSION:-}" ]; then
  PG_MAJOR=$ROLLBACK_PG_VERSION
elif [ -x /usr/lib/postgresql/15/bin/postgres ]; then
  PG_MAJOR=15
else
  PG_MAJOR=$( (find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null || true) | sort -n | tail -n 1)
fi
step postgresql "/var/log/postgresql/postgresql-$PG_MAJOR-main.log"
if [ -z "$PG_MAJOR" ] || [ ! -x "/usr/lib/postgresql/$PG_MAJOR/bin/postgres" ]; then
  fail "no PostgreSQL server installed under /usr/lib/postgresql"
fi
ln -sfn "/var/log/postgresql/postgresql-$PG_MAJOR-main.log" "$LOG/postgresql.log"

if [ -z "$(pg_lsclusters -h "$PG_MAJOR" main 2>/dev/null || true)" ]; then
  log "creating PostgreSQL cluster $PG_MAJOR/main"
  pg_createcluster "$PG_MAJOR" main --port=5432 >>"$LOG/pg_createcluster.log" 2>&1 \
    || { STEP_LOG="$LOG/pg_createcluster.log"; fail "pg_createcluster $PG_MAJOR main failed"; }
fi
PG_PORT=$(pg_lsclusters -h "$PG_MAJOR" main | awk '{print $3; exit}')
[ "$PG_PORT" = 5432 ] || log "note: cluster $PG_MAJOR/main uses port $PG_PORT, not 5432"

pg_ready() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }
if ! pg_ready; then
  log "starting PostgreSQL $PG_MAJOR/main"
  pg_ctlcluster "$PG_MAJOR" main start 9>&- || fail "pg_ctlcluster $PG_MAJOR main start failed"
  wait_for 60 "" pg_ready || fail "PostgreSQL not ready on 127.0.0.1:$PG_PORT: $WAIT_REASON"
fi

PG_PASSWORD=$(secret "$DIR/pg.password")
pg_as_rollback() {
  PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -q -At -h 127.0.0.1 -p "$PG_PORT" \
    -U rollback -d postgres -v ON_ERROR_STOP=1 "$@"
}
pg_role_ok() {
  [ "$(pg_as_rollback -c 'select rolsuper and rolcreatedb from pg_roles where rolname = current_user' 2>/dev/null)" = t ]
}
if ! pg_role_ok; then
  log "creating PostgreSQL role rollback"
  (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres) <<EOF
SELECT 'CREATE ROLE rollback' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rollback')\gexec
ALTER ROLE rollback WITH LOGIN SUPERUSER CREATEDB PASSWORD '$PG_PASSWORD';
EOF
  if ! pg_role_ok; then
    # pg_hba.conf without a password rule for 127.0.0.1: add one for this role.
    hba=$(cd / && runuser -u postgres -- psql -X -At -p "$PG_PORT" -d postgres -c 'show hba_file')
    log "adding 'host all rollback 127.0.0.1/32 scram-sha-256' to $hba"
    sed -i '1i host all rollback 127.0.0.1/32 scram-sha-256' "$hba"
    pg_ctlcluster "$PG_MAJOR" main reload 9>&-
    pg_role_ok || fail "password login as rollback on 127.0.0.1:$PG_PORT fails: $(pg_as_rollback -c 'select 1' 2>&1 | head -n 3)"
  fi
fi
pg_version=$(pg_as_rollback -c 'show server_version' | awk '{print $1}')
summary postgresql "$pg_version" "jdbc:postgresql://127.0.0.1:$PG_PORT/postgres (user rollback)"

# ---------------------------------------------------------------------------------------------
# MariaDB

step mariadb "$LOG/mariadb.log"
mariadb_alive() { mariadb-admin --connect-timeout=2 ping >/dev/null 2>&1; }
if ! mariadb_alive; then
  mkdir -p /run/mysqld
  chown mysql:mysql /run/mysqld
  if [ ! -d /var/lib/mysql/mysql ]; then
    log "initialising the MariaDB data directory"
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db >>"$LOG/mariadb.log" 2>&1 \
      || fail "mariadb-install-db failed"
  fi
  log "starting mariadbd (log: $LOG/mariadb.log)"
  start_bg "$LOG/mariadb.log" mariadbd --user=mysql --bind-address=127.0.0.1 --port="$MARIADB_PORT"
  wait_for 60 "$BG_PID" mariadb_alive || fail "mariadbd did not answer ping: $WAIT_REASON"
fi

MARIADB_PASSWORD=$(secret "$DIR/mariadb.password")
mariadb_as_rollback() {
  MYSQL_PWD="$MARIADB_PASSWORD" mariadb --connect-timeout=5 --protocol=tcp -h 127.0.0.1 -P "$MARIADB_PORT" \
    -u rollback -N -B "$@"
}
mariadb_user_ok() {
  [ "$(mariadb_as_rollback -e "SELECT COUNT(*) FROM mysql.user WHERE User = 'rollback'
      AND Host IN ('127.0.0.1', 'localhost') AND Grant_priv = 'Y' AND Super_priv = 'Y'" 2>/dev/null)" = 2 ]
}
if ! mariadb_user_ok; then
  log "creating MariaDB user rollback"
  mariadb --connect-timeout=5 -u root <<EOF
CREATE USER IF NOT EXISTS 'rollback'@'127.0.0.1' IDENTIFIED BY '$MARIADB_PASSWORD';
CREATE USER IF NOT EXISTS 'rollback'@'localhost' IDENTIFIED BY '$MARIADB_PASSWORD';
ALTER USER 'rollback'@'127.0.0.1' IDENTIFIED BY '$MARIADB_PASSWORD';
ALTER USER 'rollback'@'localhost' IDENTIFIED BY '$MARIADB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'rollback'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'rollback'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
EOF
  mariadb_user_ok || fail "login as rollback on 127.0.0.1:$MARIADB_PORT fails: $(mariadb_as_rollback -e 'SELECT 1' 2>&1 | head -n 3)"
fi
mariadb_version=$(mariadb_as_rollback -e 'SELECT VERSION()' | cut -d- -f1)
summary mariadb "$mariadb_version" "jdbc:mariadb://127.0.0.1:$MARIADB_PORT/ (user rollback)"

# ---------------------------------------------------------------------------------------------
# OpenSSH server on 127.0.0.1:2222 (not the system sshd)

step ssh "$LOG/sshd.log"
mkdir -p "$SSHD_DIR"
chmod 755 "$SSHD_DIR"
mkdir -p /run/sshd
chmod 755 /run/sshd

new_key() { # new_key FILE TYPE [ssh-keygen options...]
  local file=$1 type=$2
  shift 2
  if [ ! -s "$file" ] || [ ! -s "$file.pub" ]; then
    rm -f "$file" "$file.pub"
    ssh-keygen -q -t "$type" -N '' -C "rollback-test" -f "$file" "$@" </dev/null >/dev/null
  fi
}
new_key "$SSHD_DIR/ssh_host_ed25519_key" ed25519
new_key "$SSHD_DIR/ssh_host_rsa_key" rsa -b 3072
new_key "$SSHD_DIR/id_ed25519" ed25519
new_key "$SSHD_DIR/id_rsa" rsa -b 3072 -m PEM
chmod 600 "$SSHD_DIR/ssh_host_ed25519_key" "$SSHD_DIR/ssh_host_rsa_key" "$SSHD_DIR/id_ed25519" "$SSHD_DIR/id_rsa"
give_to_client "$SSHD_DIR/id_ed25519" "$SSHD_DIR/id_ed25519.pub" "$SSHD_DIR/id_rsa" "$SSHD_DIR/id_rsa.pub"

cat "$SSHD_DIR/id_ed25519.pub" "$SSHD_DIR/id_rsa.pub" | write_if_changed "$SSHD_DIR/authorized_keys" 644 || true

{
  for host in 127.0.0.1 localhost; do
    for pub in "$SSHD_DIR/ssh_host_ed25519_key.pub" "$SSHD_DIR/ssh_host_rsa_key.pub"; do
      printf '[%s]:%s %s\n' "$host" "$SSH_PORT" "$(cut -d' ' -f1,2 "$pub")"
    done
  done
} | write_if_changed "$SSHD_DIR/known_hosts" 644 || true
give_to_client "$SSHD_DIR/known_hosts"

sshd_config_changed=0
write_if_changed "$SSHD_DIR/sshd_config" 644 <<EOF && sshd_config_changed=1
# Written by scripts/test-env.sh: rollback's test SSH server, separate from any system sshd.
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $SSHD_DIR/ssh_host_ed25519_key
HostKey $SSHD_DIR/ssh_host_rsa_key
PidFile $SSHD_DIR/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $SSHD_DIR/authorized_keys
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
MaxSessions 100
MaxStartups 100:30:200
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
# Debian's bash sources ~/.bashrc for every command sshd starts (SSH_SOURCE_BASHRC) unless SHLVL says it is
# nested. A root .bashrc that runs pyenv init costs 0.7 s a command on this machine kind, which would time the
# dotfiles instead of the SDK; the fleet benchmark keeps its own sshd hosts for that comparison.
SetEnv SHLVL=1
EOF

/usr/sbin/sshd -t -f "$SSHD_DIR/sshd_config" 2>>"$LOG/sshd.log" || fail "sshd -t rejects $SSHD_DIR/sshd_config"

sshd_pid=$(pid_from_file "$SSHD_DIR/sshd.pid" sshd || true)
if [ -n "$sshd_pid" ]; then
  if [ "$sshd_config_changed" = 1 ]; then
    log "sshd_config changed: reloading sshd (pid $sshd_pid)"
    kill -HUP "$sshd_pid"   # sshd re-executes itself; the probes below wait for it
  fi
elif ! port_listening "$SSH_PORT"; then
  log "starting sshd on 127.0.0.1:$SSH_PORT (log: $LOG/sshd.log)"
  /usr/sbin/sshd -f "$SSHD_DIR/sshd_config" -E "$LOG/sshd.log" 9>&- || fail "sshd did not start"
fi
wait_for 30 "" port_listening "$SSH_PORT" || fail "nothing listens on 127.0.0.1:$SSH_PORT: $WAIT_REASON"

ssh_probe() { # ssh_probe KEY
  ssh -F /dev/null -i "$1" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=5 \
    -o UserKnownHostsFile="$SSHD_DIR/known_hosts" -o GlobalKnownHostsFile=/dev/null \
    -o StrictHostKeyChecking=yes -p "$SSH_PORT" root@127.0.0.1 true
}
for key in "$SSHD_DIR/id_ed25519" "$SSHD_DIR/id_rsa"; do
  wait_for 10 "" ssh_probe "$key" 2>/dev/null || {
    err=$(ssh_probe "$key" 2>&1 | tail -n 3)
    fail "ssh -i $key -p $SSH_PORT root@127.0.0.1 true fails: $err (is something other than this sshd on port $SSH_PORT?)"
  }
done
ssh_version=$(ssh -V 2>&1 | sed -n 's/^OpenSSH_\([^ ,]*\).*/\1/p')
summary ssh "$ssh_version" "root@127.0.0.1:$SSH_PORT (keys $SSHD_DIR/id_ed25519, id_rsa)"

# ---------------------------------------------------------------------------------------------
# nginx

step nginx "$LOG/nginx-error.log"
ln -sfn /var/log/nginx/error.log "$LOG/nginx-error.log"
nginx_test=$(nginx -t -c "$NGINX_CONF" 2>&1) || { printf '%s\n' "$nginx_test" >&2; fail "nginx -t fails"; }
nginx_pidfile=$(sed -n 's/^[[:space:]]*pid[[:space:]]\+\([^;]*\);.*/\1/p' "$NGINX_CONF" | head -n 1)
nginx_pidfile=${nginx_pidfile:-/run/nginx.pid}
nginx_running() { pid_from_file "$nginx_pidfile" nginx >/dev/null; }
if ! nginx_running; then
  log "starting nginx"
  nginx -c "$NGINX_CONF" 9>&- || fail "nginx did not start"
  wait_for 30 "" nginx_running || fail "nginx not running: $WAIT_REASON"
fi
nginx_version=$(nginx -v 2>&1 | sed -n 's|.*nginx/\([^ ]*\).*|\1|p')
summary nginx "$nginx_version" "$NGINX_CONF (conf.d /etc/nginx/conf.d)"

# ---------------------------------------------------------------------------------------------
# Caddy

step caddy "$LOG/caddy.log"
mkdir -p "$DIR/caddy"
printf '{"admin":{"listen":"localhost:2019"}}\n' | write_if_changed "$DIR/caddy/caddy.json" 644 || true
caddy_admin_up() { curl -sf -m 2 -o /dev/null "$CADDY_ADMIN/config/"; }
if ! caddy_admin_up; then
  log "starting caddy (log: $LOG/caddy.log)"
  start_bg "$LOG/caddy.log" env HOME="$DIR/caddy" XDG_DATA_HOME="$DIR/caddy/data" \
    XDG_CONFIG_HOME="$DIR/caddy/config" caddy run --config "$DIR/caddy/caddy.json"
  wait_for 30 "$BG_PID" caddy_admin_up || fail "caddy admin API $CADDY_ADMIN did not answer: $WAIT_REASON"
fi
caddy_version=$(caddy version | awk '{print $1}')
summary caddy "${caddy_version#v}" "$CADDY_ADMIN"

# ---------------------------------------------------------------------------------------------
# Prometheus

step prometheus "$LOG/prometheus.log"
mkdir -p "$DIR/prometheus/data"
PROM_CONFIG="$DIR/prometheus/prometheus.yml"
prom_config_changed=0
write_if_changed "$PROM_CONFIG" 644 <<EOF && prom_config_changed=1
# Written by scripts/test-env.sh: tests serve metrics on 127.0.0.1:$PROM_SCRAPE_PORT.
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: rollback-test
    static_configs:
      - targets: ['127.0.0.1:$PROM_SCRAPE_PORT']
EOF
if [ "$prom_config_changed" = 1 ] && command -v promtool >/dev/null 2>&1; then
  promtool check config "$PROM_CONFIG" >>"$LOG/prometheus.log" 2>&1 || fail "promtool rejects $PROM_CONFIG"
fi

prom_ready() { curl -sf -m 2 -o /dev/null "$PROM_URL/-/ready"; }
prom_is_ours() {
  local flags
  flags=$(curl -sf -m 2 "$PROM_URL/api/v1/status/flags") || return 1
  [[ $flags == *"\"config.file\":\"$PROM_CONFIG\""* ]]
}
if prom_ready && ! prom_is_ours; then
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
    log "stopping the system prometheus service: it holds $PROM_URL with another configuration"
    systemctl stop prometheus
    wait_for 30 "" bash -c "! curl -sf -m 1 -o /dev/null '$PROM_URL/-/ready'" || fail "system prometheus did not stop"
  else
    fail "a Prometheus with another configuration answers on $PROM_URL; stop it"
  fi
fi
if prom_ready; then
  if [ "$prom_config_changed" = 1 ]; then
    log "prometheus.yml changed: reloading"
    curl -sf -m 10 -X POST -o /dev/null "$PROM_URL/-/reload" || fail "POST $PROM_URL/-/reload failed"
  fi
else
  log "starting prometheus (log: $LOG/prometheus.log)"
  start_bg "$LOG/prometheus.log" prometheus \
    --config.file="$PROM_CONFIG" \
    --storage.tsdb.path="$DIR/prometheus/data" \
    --storage.tsdb.retention.time=2d \
    --web.listen-address=127.0.0.1:9090 \
    --web.enable-lifecycle
  wait_for 60 "$BG_PID" prom_ready || fail "prometheus not ready on $PROM_URL: $WAIT_REASON"
fi
prom_version=$(curl -sf -m 2 "$PROM_URL/api/v1/status/buildinfo" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p')
summary prometheus "${prom_version:-?}" "$PROM_URL (scrapes 127.0.0.1:$PROM_SCRAPE_PORT every 1s)"

# ---------------------------------------------------------------------------------------------
# env file

step env-file
tmp=$(mktemp "$ENV_FILE.XXXXXX")
cat >"$tmp" <<EOF
# Written by scripts/test-env.sh; read by the integration tests (-Drollback.test.env=$ENV_FILE).
docker.host=unix://$DOCKER_SOCK
docker.busybox_image=$BUSYBOX_IMAGE
docker.tls.host=tcp://127.0.0.1:$DOCKER_TLS_PORT
docker.tls.port=$DOCKER_TLS_PORT
docker.tls.cert_path=$DOCKER_TLS_DIR/client
docker.tls.ca=$DOCKER_TLS_DIR/client/ca.pem
docker.tls.cert=$DOCKER_TLS_DIR/client/cert.pem
docker.tls.key=$DOCKER_TLS_DIR/client/key.pem
docker.tls.other_ca=$DOCKER_TLS_DIR/other-ca/ca.pem
compose.command=docker-compose
pg.host=127.0.0.1
pg.port=$PG_PORT
pg.user=rollback
pg.password=$PG_PASSWORD
pg.database=postgres
pg.url=jdbc:postgresql://127.0.0.1:$PG_PORT/postgres
mariadb.host=127.0.0.1
mariadb.port=$MARIADB_PORT
mariadb.user=rollback
mariadb.password=$MARIADB_PASSWORD
mariadb.url=jdbc:mariadb://127.0.0.1:$MARIADB_PORT/
ssh.host=127.0.0.1
ssh.port=$SSH_PORT
ssh.user=root
ssh.key=$SSHD_DIR/id_ed25519
ssh.rsa_key=$SSHD_DIR/id_rsa
ssh.known_hosts=$SSHD_DIR/known_hosts
nginx.binary=$(command -v nginx)
nginx.conf=$NGINX_CONF
nginx.conf_dir=/etc/nginx/conf.d
caddy.admin=$CADDY_ADMIN
caddy.binary=$(command -v caddy)
prometheus.url=$PROM_URL
prometheus.scrape_port=$PROM_SCRAPE_PORT
prometheus.scrape_interval_ms=$PROM_SCRAPE_INTERVAL_MS
EOF
# Module fragments: scripts/test-env.d/NN-name.sh, each run as root with the state directory as $1. A
# fragment provisions what its module's tests need, prints key=value lines on stdout (appended here) and its
# summary lines on stderr; a fragment that fails fails the whole run.
for fragment in "$(dirname "$(readlink -f "$0")")"/test-env.d/*.sh; do
  [ -f "$fragment" ] || continue
  step "fragment $(basename "$fragment")"
  if ! bash "$fragment" "$DIR" 9>&- >>"$tmp"; then
    fail "$(basename "$fragment") failed"
  fi
done
chmod 600 "$tmp"
give_to_client "$tmp" "$DIR/pg.password" "$DIR/mariadb.password"
mv -f "$tmp" "$ENV_FILE"

printf '%s\n' "${SUMMARY[@]}"
echo "env: $ENV_FILE"
