# Sourced by scripts/test (and usable by hand: `. scripts/tools.sh; ensure_test_tools`): installs the real programs the
# load and serve tests run beside genbench, each only when missing, from Debian's packages and npm:
#   nginx and wrk      the loopback web server and the load generator genbench load is compared with
#   prometheus         the server that scrapes genbench serve / run in the metrics test
#   node + npm openai  the official OpenAI client library that drives genbench serve in the client test
# apt-get update runs once per shell, and only when something must be installed. Exports GENBENCH_NGINX, GENBENCH_WRK,
# GENBENCH_PROMETHEUS, GENBENCH_NODE and GENBENCH_NODE_PATH (the node_modules folder holding `openai`) for the tests,
# and GENBENCH_REQUIRE_TOOLS=1 so those tests fail, not skip, when a tool is missing.

GENBENCH_APT_UPDATED="${GENBENCH_APT_UPDATED:-}"

# apt_install PKG... — installs Debian packages (no recommends), running apt-get update first, once
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "scripts/tools.sh: cannot install $* here: not a Debian/Ubuntu system (no apt-get); install them by hand" >&2
    return 2
  fi
  local sudo=""; [ "$(id -u)" != 0 ] && sudo="sudo"
  if [ -z "$GENBENCH_APT_UPDATED" ]; then
    # another apt (unattended-upgrades, a second shell) may hold the dpkg lock: wait for it instead of failing
    $sudo apt-get -o DPkg::Lock::Timeout=300 update -qq || { echo "scripts/tools.sh: apt-get update failed (see above)" >&2; return 2; }
    GENBENCH_APT_UPDATED=1
  fi
  echo "scripts/tools.sh: installing $* (Debian) ..." >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >/dev/null ||
    { echo "scripts/tools.sh: apt-get could not install $* (see above); install them, then rerun" >&2; return 2; }
}

# finds a program on PATH or in the sbin folders Debian puts daemons in; prints its path
tool_path() {
  command -v "$1" 2>/dev/null && return 0
  local d; for d in /usr/sbin /sbin /usr/local/sbin; do [ -x "$d/$1" ] && { echo "$d/$1"; return 0; }; done
  return 1
}

ensure_test_tools() {
  local missing=()
  tool_path nginx >/dev/null || missing+=(nginx)
  tool_path wrk >/dev/null || missing+=(wrk)
  tool_path prometheus >/dev/null || missing+=(prometheus)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}" || return 2; fi
  # the Debian prometheus package may start a system service on :9090; the tests start their own on a free port
  GENBENCH_NGINX="$(tool_path nginx)"; GENBENCH_WRK="$(tool_path wrk)"; GENBENCH_PROMETHEUS="$(tool_path prometheus)"
  GENBENCH_NODE="$(command -v node)"
  local npm_dir="$PWD/.tools/npm"
  if [ ! -f "$npm_dir/node_modules/openai/package.json" ]; then
    echo "scripts/tools.sh: installing the npm package openai into .tools/npm ..." >&2
    mkdir -p "$npm_dir"
    npm install --prefix "$npm_dir" --no-audit --no-fund --loglevel=error openai@4 >/dev/null ||
      { echo "scripts/tools.sh: npm could not install openai (see above)" >&2; return 2; }
  fi
  GENBENCH_NODE_PATH="$npm_dir/node_modules"
  export GENBENCH_NGINX GENBENCH_WRK GENBENCH_PROMETHEUS GENBENCH_NODE GENBENCH_NODE_PATH GENBENCH_REQUIRE_TOOLS=1
}
