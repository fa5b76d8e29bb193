#!/usr/bin/env bash
# test-env fragment: the fleet hosts FleetSshIT rolls back, and Capistrano for the fleet benchmark.
#
#   bash scripts/test-env.d/70-fleet.sh STATE_DIR      (as root; scripts/test-env.sh runs it)
#
# Starts ROLLBACK_FLEET_HOSTS (default 10) hosts, host1..hostN: each an OpenSSH server on 127.0.0.1:(2300+i)
# in its own mount namespace, where /srv/app is STATE_DIR/fleet/hostI bind-mounted, so every host has an app
# directory of its own at the same path (the layout peers.md describes for Capistrano), and root's home is the
# empty STATE_DIR/fleet/home: a deploy host has no developer's ~/.bashrc (this machine's runs `pyenv init`,
# about 0.4 s for every SSH command, since bash sources ~/.bashrc for sshd's commands). Host keys are
# generated once per host; the client keys of the main test sshd (STATE_DIR/ssh/id_ed25519 and the RSA PEM
# id_rsa) are authorized; STATE_DIR/fleet/known_hosts holds every [127.0.0.1]:port entry. The sshd on 2222 is
# never touched. When every host is up it only probes (a second or so).
#
# stdout: key=value lines for env.properties; stderr: progress and one summary line.
set -euo pipefail
export LC_ALL=C
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"
umask 022

DIR=${1:?usage: 70-fleet.sh STATE_DIR}
FLEET=$DIR/fleet
SSHD=$FLEET/sshd
HOSTS=${ROLLBACK_FLEET_HOSTS:-10}
BASE_PORT=2301
APP_DIR=/srv/app
CLIENT_KEY=$DIR/ssh/id_ed25519
CLIENT_RSA_KEY=$DIR/ssh/id_rsa
APT_LOG=$DIR/logs/70-fleet-apt.log

exec 3>&1 1>&2   # only the key=value lines go to stdout (fd 3)
log() { printf 'test-env: fleet: %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "must run as root (it starts sshd in mount namespaces)"
for k in "$CLIENT_KEY" "$CLIENT_RSA_KEY"; do
  [ -s "$k" ] && [ -s "$k.pub" ] || fail "client key $k is missing: run scripts/test-env.sh (it makes it) first"
done
mkdir -p "$FLEET" "$SSHD" "$FLEET/home" "$DIR/logs" "$APP_DIR" /run/sshd
chmod 755 "$FLEET" "$SSHD"
chmod 700 "$FLEET/home"

# --- Capistrano (Debian's package), for benchmarks/FleetBenchmark -------------------------------------------
# ruby-ed25519 and ruby-bcrypt-pbkdf are net-ssh's recommends: with them it reads ed25519 keys (--key-type ed25519)
CAP_PACKAGES="capistrano ruby-ed25519 ruby-bcrypt-pbkdf"
missing=""
for p in $CAP_PACKAGES; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
  log "installing$missing (log: $APT_LOG)"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086 # a list of package names
  if ! apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends $missing >>"$APT_LOG" 2>&1; then
    apt-get -o DPkg::Lock::Timeout=300 update -q >>"$APT_LOG" 2>&1
    # shellcheck disable=SC2086
    apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends $missing >>"$APT_LOG" 2>&1 \
      || fail "apt-get install$missing failed (see $APT_LOG)"
  fi
fi
command -v cap >/dev/null || fail "capistrano is installed but 'cap' is not on PATH"

# --- per-host keys and config -------------------------------------------------------------------------------
write_if_changed() { # write_if_changed FILE: stdin to FILE atomically; status 0 when the content changed
  local file=$1 tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp"
  chmod 644 "$tmp"
  if [ -f "$file" ] && cmp -s "$tmp" "$file"; then rm -f "$tmp"; return 1; fi
  mv -f "$tmp" "$file"
}

new_key() { # new_key FILE TYPE [options]: once
  local file=$1 type=$2
  shift 2
  if [ ! -s "$file" ] || [ ! -s "$file.pub" ]; then
    rm -f "$file" "$file.pub"
    ssh-keygen -q -t "$type" -N '' -C "rollback-fleet" -f "$file" "$@" </dev/null >/dev/null
  fi
  chmod 600 "$file"
}

cat "$CLIENT_KEY.pub" "$CLIENT_RSA_KEY.pub" | write_if_changed "$SSHD/authorized_keys" || true

declare -A CHANGED=()
known=""
for i in $(seq 1 "$HOSTS"); do
  h=$SSHD/host$i
  port=$((BASE_PORT + i - 1))
  mkdir -p "$h" "$FLEET/host$i"
  new_key "$h/ssh_host_ed25519_key" ed25519
  new_key "$h/ssh_host_rsa_key" rsa -b 3072
  for pub in "$h/ssh_host_ed25519_key.pub" "$h/ssh_host_rsa_key.pub"; do
    known+="[127.0.0.1]:$port $(cut -d' ' -f1,2 "$pub")"$'\n'
  done
  if write_if_changed "$h/sshd_config" <<EOF
# Written by scripts/test-env.d/70-fleet.sh: fleet test host $i (its /srv/app is $FLEET/host$i).
ListenAddress 127.0.0.1
Port $port
HostKey $h/ssh_host_ed25519_key
HostKey $h/ssh_host_rsa_key
PidFile $h/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $SSHD/authorized_keys
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
MaxSessions 100
MaxStartups 100:30:200
X11Forwarding no
PrintMotd no
Subsystem sftp internal-sftp
EOF
  then
    CHANGED[$i]=1
  fi
  /usr/sbin/sshd -t -f "$h/sshd_config" || fail "sshd -t rejects $h/sshd_config"
done
printf '%s' "$known" | write_if_changed "$FLEET/known_hosts" || true
if [ -n "${SUDO_UID:-}" ] && [ "${SUDO_UID}" != 0 ]; then chown "$SUDO_UID:${SUDO_GID:-0}" "$FLEET/known_hosts"; fi

# --- start-host.sh: starts (or revives) one host; tests call it after killing a host ------------------------
write_if_changed "$SSHD/start-host.sh" <<EOF || true
#!/usr/bin/env bash
# start-host.sh I: start fleet host I (sshd on 127.0.0.1:\$((${BASE_PORT} + I - 1)) in its own mount namespace,
# /srv/app bound to $FLEET/hostI) unless it runs. Written by scripts/test-env.d/70-fleet.sh; run as root.
set -euo pipefail
i=\${1:?usage: start-host.sh HOST_NUMBER}
h=$SSHD/host\$i
port=\$(( $BASE_PORT + i - 1 ))
[ -f "\$h/sshd_config" ] || { echo "start-host: no host \$i (\$h/sshd_config missing)" >&2; exit 2; }
listening() { [ -n "\$(ss -Hltn "sport = :\$port" 2>/dev/null)" ]; }
pid=\$(tr -dc '0-9' 2>/dev/null <"\$h/sshd.pid" || true)
# a zombie (a killed sshd its non-reaping parent has not collected yet) does not count
if [ -n "\$pid" ] && [ "\$(cat "/proc/\$pid/comm" 2>/dev/null)" = sshd ] \\
    && [ "\$(sed 's/.*) \\(.\\).*/\\1/' "/proc/\$pid/stat" 2>/dev/null)" != Z ]; then
  if awk '\$5 == "$APP_DIR" || \$5 == "/root" { n++ } END { exit n != 2 }' "/proc/\$pid/mountinfo"; then
    exit 0
  fi
  echo "start-host: sshd \$pid of host \$i lacks the $APP_DIR or /root mount; restarting it" >&2
  kill "\$pid"
  for _ in \$(seq 1 40); do listening || break; sleep 0.25; done
fi
listening && { echo "start-host: 127.0.0.1:\$port is held by something other than host \$i's sshd" >&2; exit 1; }
mkdir -p "$APP_DIR" "$FLEET/host\$i"
setsid unshare --mount --propagation private sh -c \\
  'mount --bind "\$1" "\$2" && mount --bind "\$5" /root && exec /usr/sbin/sshd -f "\$3" -E "\$4"' \\
  sh "$FLEET/host\$i" "$APP_DIR" "\$h/sshd_config" "\$h/sshd.log" "$FLEET/home" </dev/null 9>&-
for _ in \$(seq 1 80); do listening && exit 0; sleep 0.125; done
echo "start-host: host \$i did not listen on 127.0.0.1:\$port within 10 s; see \$h/sshd.log" >&2
exit 1
EOF
chmod 755 "$SSHD/start-host.sh"

# --- start what is not running; reload what changed --------------------------------------------------------
started=0
for i in $(seq 1 "$HOSTS"); do
  pid=$(tr -dc '0-9' 2>/dev/null <"$SSHD/host$i/sshd.pid" || true)
  if [ -n "${CHANGED[$i]:-}" ] && [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sshd ]; then
    log "host$i: sshd_config changed, reloading sshd $pid"
    kill -HUP "$pid"   # re-executes in the same namespace
  fi
  before=$pid
  "$SSHD/start-host.sh" "$i" || fail "host$i did not start"
  pid=$(tr -dc '0-9' 2>/dev/null <"$SSHD/host$i/sshd.pid" || true)
  [ "$pid" = "$before" ] || started=$((started + 1))
done

# --- probe: every host answers with its key and its own /srv/app -------------------------------------------
probe() { # probe I: the host's /srv/app is its own host dir (same device and inode)
  local i=$1 port=$((BASE_PORT + $1 - 1)) want got
  want=$(stat -c %d:%i "$FLEET/host$i")
  got=$(ssh -F /dev/null -i "$CLIENT_RSA_KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=5 \
    -o UserKnownHostsFile="$FLEET/known_hosts" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
    -p "$port" root@127.0.0.1 stat -c %d:%i "$APP_DIR" 2>&1) || { echo "host$i: ssh failed: $got"; return 1; }
  [ "$got" = "$want" ] || { echo "host$i: $APP_DIR is $got there, want $want ($FLEET/host$i)"; return 1; }
}
pids=()
for i in $(seq 1 "$HOSTS"); do probe "$i" >"$SSHD/host$i/probe.out" 2>&1 & pids+=($!); done
bad=()
for i in $(seq 1 "$HOSTS"); do wait "${pids[$((i - 1))]}" || bad+=("$(cat "$SSHD/host$i/probe.out")"); done
[ "${#bad[@]}" = 0 ] || fail "${bad[*]}"

printf 'fleet       ok  %-15s %s\n' "$HOSTS hosts" "root@127.0.0.1:$BASE_PORT..$((BASE_PORT + HOSTS - 1)) ($started started; /srv/app = $FLEET/hostI; capistrano $(dpkg-query -W -f='${Version}' capistrano))" >&2

cat >&3 <<EOF
fleet.hosts=$HOSTS
fleet.host=127.0.0.1
fleet.base_port=$BASE_PORT
fleet.user=root
fleet.key=$CLIENT_KEY
fleet.rsa_key=$CLIENT_RSA_KEY
fleet.known_hosts=$FLEET/known_hosts
fleet.app_dir=$APP_DIR
fleet.host_dirs=$FLEET
fleet.start_host=$SSHD/start-host.sh
capistrano.cap=$(command -v cap)
EOF
