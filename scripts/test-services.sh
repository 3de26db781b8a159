#!/usr/bin/env bash
# The services the tests need, on a fresh Debian machine: PostgreSQL 15 with pgvector, redis-server
# and (for the end-to-end suite) Chromium.
#
#   scripts/test-services.sh install           install what is missing (root + apt), or say what to install
#   scripts/test-services.sh run -- CMD ...    install, start a throw-away cluster on a free loopback
#                                              port, run CMD with PRISMAI_TEST_PG_URL set, then stop the
#                                              cluster and delete it, whatever CMD did
#
# Redis is started per suite by the tests themselves (__tests__/helpers/redis.ts); here it is only
# installed. pgvector has no package for Debian 12, so it is built from Debian's own source package
# (trixie, 0.8.x) against this machine's PostgreSQL 15; that takes seconds.
# PRISMAI_TEST_PG_URL set by the caller skips the throw-away cluster and uses that server instead.
set -euo pipefail

PG_VERSION=15
PG_BIN="/usr/lib/postgresql/${PG_VERSION}/bin"
NEED_CHROMIUM="${NEED_CHROMIUM:-0}"

log() { echo "test-services: $*" >&2; }

have_pgvector() {
  [ -x "$PG_BIN/pg_config" ] || return 1
  local share
  share="$("$PG_BIN/pg_config" --sharedir)"
  [ -f "$share/extension/vector.control" ]
}

missing_packages() {
  local m=()
  [ -x "$PG_BIN/postgres" ] || m+=("postgresql-${PG_VERSION}")
  have_pgvector || {
    [ -x "$PG_BIN/pg_config" ] && [ -d "/usr/include/postgresql/${PG_VERSION}/server" ] || m+=("postgresql-server-dev-${PG_VERSION}")
    command -v make >/dev/null && command -v gcc >/dev/null || m+=(build-essential)
    command -v dpkg-source >/dev/null || m+=(dpkg-dev)
  }
  command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || m+=(redis-server)
  if [ "$NEED_CHROMIUM" = 1 ]; then [ -x /usr/bin/chromium ] || m+=(chromium); fi
  echo "${m[@]:-}"
}

explain_and_exit() {
  cat >&2 <<EOF
test-services: the tests need PostgreSQL ${PG_VERSION} with pgvector and redis-server, and this user
cannot install them (not root, or no apt-get). As root, run:

  apt-get update
  apt-get install -y postgresql-${PG_VERSION} postgresql-server-dev-${PG_VERSION} build-essential dpkg-dev redis-server chromium
  # pgvector, from Debian's source package (not packaged for bookworm):
  echo 'deb-src http://deb.debian.org/debian trixie main' > /etc/apt/sources.list.d/prismai-trixie-src.list
  apt-get update && cd /tmp && apt-get source pgvector && cd pgvector-*/ \\
    && make PG_CONFIG=${PG_BIN}/pg_config && make install PG_CONFIG=${PG_BIN}/pg_config

or point the tests at a PostgreSQL ${PG_VERSION} server with pgvector you already run:
  PRISMAI_TEST_PG_URL=postgres://user:pass@127.0.0.1:5432/postgres npm test
(the user must be allowed to create databases). Missing now: $1
EOF
  exit 1
}

build_pgvector() {
  local list=/etc/apt/sources.list.d/prismai-trixie-src.sources
  if [ ! -f "$list" ]; then
    # Source packages only: nothing from trixie is installed, its sources are just unpacked and built.
    cat >"$list" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    apt-get update -qq
  fi
  local dir
  dir="$(mktemp -d)"
  log "building pgvector from Debian's source package in $dir"
  (cd "$dir" && apt-get source -qq pgvector >/dev/null 2>&1 || (apt-get update -qq && apt-get source -qq pgvector >/dev/null))
  local src
  src="$(find "$dir" -maxdepth 1 -mindepth 1 -type d -name 'pgvector-*' | head -1)"
  [ -n "$src" ] || { log "apt-get source pgvector unpacked nothing"; exit 1; }
  # OPTFLAGS="": the default -march=native would tie the build to this machine's CPU.
  make -s -C "$src" PG_CONFIG="$PG_BIN/pg_config" OPTFLAGS="" >/dev/null
  make -s -C "$src" PG_CONFIG="$PG_BIN/pg_config" install >/dev/null
  rm -rf "$dir"
  have_pgvector || { log "pgvector built but vector.control is not where pg_config says"; exit 1; }
  log "pgvector $(sed -n "s/^default_version = '\(.*\)'/\1/p" "$("$PG_BIN/pg_config" --sharedir)/extension/vector.control") installed"
}

install_missing() {
  local missing
  missing="$(missing_packages)"
  if [ -z "${missing// /}" ]; then return 0; fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then explain_and_exit "$missing"; fi
  local pkgs=()
  for p in $missing; do
    # dpkg-dev and the compiler are only needed for pgvector; they are listed when it is missing.
    pkgs+=("$p")
  done
  log "installing ${pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  # The Debian package starts a cluster of its own on 5432; the tests use their own on a free port.
  have_pgvector || build_pgvector
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

run() {
  install_missing
  if [ -n "${PRISMAI_TEST_PG_URL:-}" ]; then
    "$@"
    return
  fi
  local port user status=0
  PG_DIR="$(mktemp -d /tmp/prismai-pg.XXXXXX)"
  local dir="$PG_DIR"
  port="$(free_port)"
  user="$(id -un)"
  AS=()
  if [ "$(id -u)" -eq 0 ]; then
    # postgres refuses to run as root: the cluster belongs to the postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    AS=(runuser -u postgres --)
    user=postgres
  fi
  cleanup() {
    "${AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  "${AS[@]}" "$PG_BIN/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # Sized for the suites: two jest workers, each with a pool of 10 plus a few admin connections.
  "${AS[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -w -l "$dir/log" -o \
    "-h 127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB" \
    start >/dev/null
  export PRISMAI_TEST_PG_URL="postgres://${user}@127.0.0.1:${port}/postgres"
  log "PostgreSQL ${PG_VERSION} with pgvector on 127.0.0.1:${port} (throw-away, ${dir})"
  "$@" || status=$?
  return $status
}

cmd="${1:-}"
shift || true
case "$cmd" in
  install) install_missing ;;
  run)
    [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || { log "usage: test-services.sh run -- CMD ..."; exit 2; }
    run "$@"
    ;;
  *)
    echo "usage: scripts/test-services.sh install | run -- CMD ..." >&2
    exit 2
    ;;
esac
