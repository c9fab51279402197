# Sourced by the bench/load-* scripts and bench/sse-parse: build_genbench, and Debian's nginx on 127.0.0.1 from a temporary prefix, one worker,
# answering every request (any method, POST included) with a small static JSON body that genbench load's generic API
# reads as one result. Sets NGINX_URL; stop_nginx (run on EXIT) stops it and removes the prefix.
# GENBENCH_NGINX / GENBENCH_WRK (exported by scripts/tools.sh, which installs both) name the programs; else PATH, /usr/sbin.

bench_tool() { # $1 = env value, $2 = program name; prints its path or fails with how to install it
  local p="$1"
  [ -n "$p" ] && [ -x "$p" ] && { echo "$p"; return; }
  p="$(command -v "$2" 2>/dev/null || true)"
  [ -z "$p" ] && [ -x "/usr/sbin/$2" ] && p="/usr/sbin/$2"
  if [ -z "$p" ]; then
    echo "bench: needs $2 (Debian: apt-get install nginx-light wrk, or '. scripts/tools.sh; ensure_test_tools')" >&2
    return 2
  fi
  echo "$p"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_nginx CPU — CPU: the core nginx's worker is pinned to (taskset -c), or "" for none
start_nginx() {
  local cpu="$1" nginx port
  nginx="$(bench_tool "${GENBENCH_NGINX:-}" nginx)" || exit 2
  NGINX_PREFIX="$(mktemp -d)"
  port="$(free_port)"
  mkdir -p "$NGINX_PREFIX/logs" "$NGINX_PREFIX/tmp"
  cat >"$NGINX_PREFIX/nginx.conf" <<CONF
worker_processes 1;
daemon off;
master_process on;
pid $NGINX_PREFIX/nginx.pid;
error_log $NGINX_PREFIX/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path $NGINX_PREFIX/tmp;
  proxy_temp_path $NGINX_PREFIX/tmp;
  fastcgi_temp_path $NGINX_PREFIX/tmp;
  uwsgi_temp_path $NGINX_PREFIX/tmp;
  scgi_temp_path $NGINX_PREFIX/tmp;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location / {
      default_type application/json;
      return 200 '{"data":[{"b64_json":"aGVsbG8="}]}';
    }
  }
}
CONF
  if [ -n "$cpu" ]; then
    taskset -c "$cpu" "$nginx" -e "$NGINX_PREFIX/logs/error.log" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" &
  else
    "$nginx" -e "$NGINX_PREFIX/logs/error.log" -p "$NGINX_PREFIX" -c "$NGINX_PREFIX/nginx.conf" &
  fi
  NGINX_PID=$!
  NGINX_URL="http://127.0.0.1:$port/"
  for _ in $(seq 100); do
    curl -fsS -o /dev/null -X POST "$NGINX_URL" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench: nginx did not answer at $NGINX_URL; its log:" >&2
  cat "$NGINX_PREFIX/logs/error.log" >&2 || true
  exit 1
}

stop_nginx() {
  if [ -n "${NGINX_PID:-}" ]; then
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  [ -n "${NGINX_PREFIX:-}" ] && rm -rf "$NGINX_PREFIX"
}

# build_genbench — the jar, test classes and dependencies; sets BENCH_JAVA
build_genbench() {
  . scripts/jdk.sh
  find_jdk yes || exit 2
  BENCH_JAVA="$GENBENCH_JDK/bin/java"
  mkdir -p target
  JAVA_HOME="$GENBENCH_JDK" ./mvnw -q -B -ntp -DskipTests package test-compile >target/bench-build.log 2>&1 ||
    { cat target/bench-build.log >&2; echo "bench: the build failed" >&2; exit 1; }
}
