# Sourced by scripts/test: a throwaway PostgreSQL server for the history tests, from Debian's postgresql package
# (installed when missing), in a temporary data directory, listening on 127.0.0.1 only, at a free port.
#
#   start_postgres   installs, initdb's and starts it; exports GENBENCH_TEST_POSTGRES_URL (a JDBC URL with user and
#                    password) and GENBENCH_REQUIRE_POSTGRES=1 (the PostgreSQL tests then fail rather than skip);
#                    returns non-zero, saying why on stderr, when it cannot
#   stop_postgres    stops it and removes the data directory; safe to call twice, or when nothing was started
#
# initdb and the server refuse to run as root: as root they run as the package's postgres user (runuser), otherwise
# as the current user.

PG_TMP=""
PG_BIN=""

# prints the bin directory of the newest installed PostgreSQL, or nothing
pg_bin_dir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

# runs a command as the user that owns the server
pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then
    (cd "$PG_TMP" && runuser -u postgres -- "$@")
  else
    (cd "$PG_TMP" && "$@")
  fi
}

start_postgres() {
  PG_BIN="$(pg_bin_dir)"
  if [ -z "$PG_BIN" ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
      echo "scripts/postgres.sh: no PostgreSQL server under /usr/lib/postgresql and no apt-get to install one;" >&2
      echo "  install PostgreSQL (initdb, pg_ctl), or run the Java tests without it: ./mvnw verify (the PostgreSQL tests skip)" >&2
      return 2
    fi
    echo "scripts/test: installing postgresql (Debian) for the history tests ..." >&2
    local sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
    # another apt (unattended-upgrades, a second helper) may hold the dpkg lock: wait for it instead of failing
    $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq &&
      DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq postgresql >/dev/null ||
      { echo "scripts/postgres.sh: apt-get could not install postgresql (see above); install it, then rerun" >&2; return 2; }
    PG_BIN="$(pg_bin_dir)"
    [ -n "$PG_BIN" ] || { echo "scripts/postgres.sh: postgresql is installed but no initdb under /usr/lib/postgresql/*/bin" >&2; return 2; }
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "scripts/postgres.sh: running as root, but there is no postgres user to run the server as (initdb refuses root)" >&2
    return 2
  fi

  PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/genbench-pg.XXXXXX")" || return 2
  chmod 700 "$PG_TMP"
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_TMP"
  local password port
  password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  printf '%s\n' "$password" >"$PG_TMP/pwfile"
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_TMP/pwfile"
  # password (SCRAM) over TCP, as a team's server would ask; the socket, in the private directory, for createdb only
  if ! pg_as_owner "$PG_BIN/initdb" -D "$PG_TMP/data" -U genbench --pwfile="$PG_TMP/pwfile" --auth-host=scram-sha-256 \
      --auth-local=trust -E UTF8 --locale=C --no-sync >"$PG_TMP/initdb.log" 2>&1; then
    echo "scripts/postgres.sh: initdb failed:" >&2; cat "$PG_TMP/initdb.log" >&2; return 2
  fi
  # a free port: bind port 0, read what the kernel chose (a race with another process is retried below)
  local tries=0
  while :; do
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))"
    if pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 3 ]; then
      echo "scripts/postgres.sh: the server did not start; its log:" >&2; cat "$PG_TMP/server.log" >&2; return 2
    fi
  done
  if ! pg_as_owner "$PG_BIN/createdb" -h "$PG_TMP" -p "$port" -U genbench genbench_test; then
    echo "scripts/postgres.sh: createdb failed" >&2; return 2
  fi
  export GENBENCH_TEST_POSTGRES_URL="jdbc:postgresql://127.0.0.1:$port/genbench_test?user=genbench&password=$password"
  export GENBENCH_REQUIRE_POSTGRES=1
  echo "scripts/test: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $PG_TMP) for the history tests" >&2
}

stop_postgres() {
  if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
    if [ -f "$PG_TMP/data/postmaster.pid" ]; then
      pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
        echo "scripts/postgres.sh: could not stop the server in $PG_TMP/data" >&2
    fi
    rm -rf "$PG_TMP"
  fi
  PG_TMP=""
}
