# Sourced by ./genbench and scripts/test: finds a JDK >= 21 (JAVA_HOME, then /usr/lib/jvm/*, then java on PATH).
# Sets GENBENCH_JDK to its home, or prints what it found and returns 1; with GENBENCH_HOME set, caches the choice in
# $GENBENCH_HOME/target/jdk-path for cached_jdk.

java_major() { # $1 = path to a java binary
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

# Reuses the JDK a previous start chose (cache file: JAVA_HOME then, the JDK home) while JAVA_HOME is unchanged and
# the JDK is still there, so a start does not run every installed java to read its version. Sets GENBENCH_JDK.
cached_jdk() { # $1 = cache file, $2 = need javac (yes|no)
  local cache="$1" need_javac="${2:-no}" key home
  [ -f "$cache" ] || return 1
  { IFS= read -r key && IFS= read -r home; } <"$cache" || return 1
  [ "$key" = "${JAVA_HOME:-}" ] && [ -x "$home/bin/java" ] || return 1
  if [ "$need_javac" = yes ] && [ ! -x "$home/bin/javac" ]; then return 1; fi
  GENBENCH_JDK="$home"
}

find_jdk() {
  local need_javac="${1:-no}" candidates=() seen=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for d in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do [ -d "$d" ] && candidates+=("$d"); done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  local best="" best_major=0
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] || continue
    if [ "$need_javac" = yes ] && [ ! -x "$home/bin/javac" ]; then seen+=("$home (no javac)"); continue; fi
    local major; major=$(java_major "$home/bin/java")
    seen+=("$home (Java ${major:-?})")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best="$home"; best_major=$major; fi
  done
  if [ -z "$best" ]; then
    echo "genbench: needs a JDK >= 21 and found none." >&2
    if [ ${#seen[@]} -gt 0 ]; then printf '  found: %s\n' "${seen[@]}" >&2; fi
    echo "  Install one (Debian/Ubuntu: apt-get install openjdk-21-jdk, or Temurin 21+) or set JAVA_HOME." >&2
    return 1
  fi
  GENBENCH_JDK="$best"
  if [ -n "${GENBENCH_HOME:-}" ] && mkdir -p "$GENBENCH_HOME/target" 2>/dev/null; then
    printf '%s\n%s\n' "${JAVA_HOME:-}" "$best" >"$GENBENCH_HOME/target/jdk-path" 2>/dev/null || true
  fi
}
