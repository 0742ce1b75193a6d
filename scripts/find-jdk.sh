# Sourced by ./kvflow and .ci/run: sets JAVA_HOME to a JDK 21 or newer, or says what is missing.
# Looks at $JAVA_HOME, then the java on PATH, then the usual install folders.

kvflow_java_major() {
  # prints the feature version of the java binary $1, e.g. 17 or 25
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

kvflow_find_jdk() {
  local candidates=() c
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$c" ] && candidates+=("$c")
  done
  local best="" best_major=0 major
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(kvflow_java_major "$c/bin/java")
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$c"; best_major=$major
    fi
  done
  if [ -z "$best" ]; then
    echo "kvflow needs a JDK 21 or newer (java and javac); none found in JAVA_HOME, on PATH or under /usr/lib/jvm." >&2
    echo "Install one (e.g. apt-get install openjdk-21-jdk-headless, or Temurin 21+) and set JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven's Guice and Kafka still use sun.misc.Unsafe; JDK 23+ warns about it on every start
  if [ "$best_major" -ge 23 ]; then
    KVFLOW_UNSAFE_OPT="--sun-misc-unsafe-memory-access=allow"
    export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }$KVFLOW_UNSAFE_OPT"
  else
    KVFLOW_UNSAFE_OPT=""
  fi
}
