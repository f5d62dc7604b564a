#!/usr/bin/env bash
# Builds the self-contained distribution clawless-<version>-linux-x64.tar.gz from a built hub
# (hub-server/target/clawless-hub.jar and its libs/): a Java runtime made by jlink from $JAVA_HOME (only the modules
# the hub uses), the hub and its libraries (the widget and the console are inside the hub's jar), bin/clawless,
# config/, docs/, a systemd unit, a Dockerfile and a compose file, and the JVM's start-up cache recorded with that
# runtime. `./hub dist` builds the hub and runs this; the dist module's test runs it too.
#
#   dist/build-dist.sh [--out DIR] [--no-aot]     (JAVA_HOME: a JDK 21 or newer)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/dist/target"
AOT=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --no-aot) AOT=no; shift ;;
    *) echo "build-dist: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
: "${JAVA_HOME:?set JAVA_HOME to a JDK 21 or newer}"
HUB="$ROOT/hub-server/target"
if [ ! -f "$HUB/clawless-hub.jar" ] || [ ! -d "$HUB/libs" ]; then
  echo "build-dist: build the hub first (./hub build)" >&2
  exit 1
fi
# the project's version: the first <version> of the parent pom
VERSION="$(sed -n 's:^ *<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -1)"
NAME="clawless-$VERSION-linux-x64"
STAGE="$OUT/$NAME"
step() { echo "build-dist: $*" >&2; }

rm -rf "$STAGE" "$OUT/$NAME.tar.gz"
mkdir -p "$STAGE/lib"

step "1/5 copying the hub and its libraries"
cp "$HUB/clawless-hub.jar" "$STAGE/lib/"
cp -r "$HUB/libs" "$STAGE/lib/libs"
cp -r "$ROOT/dist/src/dist/." "$STAGE/"
chmod 755 "$STAGE/bin/clawless"
mkdir -p "$STAGE/config" "$STAGE/docs"
cp "$ROOT/config/application.yaml" "$STAGE/config/defaults.yaml"
cp "$ROOT/config/production.example.yaml" "$STAGE/config/clawless.example.yaml"
cp -r "$ROOT/docs/." "$STAGE/docs/"
echo "$VERSION" > "$STAGE/VERSION"
# ONNX Runtime's jar holds the native library of six platforms (and Windows debug symbols); this tarball is linux-x64
for onnx in "$STAGE"/lib/libs/onnxruntime-*.jar; do
  [ -f "$onnx" ] && "$JAVA_HOME/bin/java" "$ROOT/dist/src/build/KeepNatives.java" "$onnx" ai/onnxruntime/native \
    linux-x64 >&2
done

step "2/5 finding the Java modules the hub uses (jdeps)"
modules="$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 21 \
  --class-path "$STAGE/lib/libs/*" "$STAGE/lib/clawless-hub.jar")"
# what static analysis cannot see: locale data (dates and numbers in every language the hub speaks), charsets of
# e-mail, DNS lookups, zip file systems, JFR and jcmd for diagnosing a live hub, elliptic-curve TLS on older JDKs
available="$("$JAVA_HOME/bin/java" --list-modules | sed 's/@.*//')"
for extra in jdk.localedata jdk.charsets jdk.naming.dns jdk.zipfs jdk.jfr jdk.management jdk.management.jfr \
    jdk.jcmd jdk.crypto.ec jdk.crypto.cryptoki jdk.net java.logging java.xml; do
  if grep -qx "$extra" <<<"$available"; then modules="$modules,$extra"; fi
done

step "3/5 linking a Java runtime ($modules)"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=zip-6 \
  --output "$STAGE/runtime"

if [ "$AOT" = yes ]; then
  step "4/5 recording the start-up cache with that runtime (a hub started and stopped in a temporary folder)"
  major="$("$STAGE/runtime/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1)"
  # the flags bin/clawless starts the hub with (@LIB@: the lib folder where the tarball was unpacked)
  if [ "$major" -ge 25 ]; then
    record="-XX:AOTCacheOutput=$STAGE/lib/clawless-hub.aot"
    # JDK 25's cached adapters fail to link on every start with two warnings and no effect on the start's time
    # (docs/operations.md); the classes are still mapped from the cache
    echo "-XX:AOTCache=@LIB@/clawless-hub.aot -XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching" \
      > "$STAGE/lib/clawless-hub.aot.flags"
  else
    record="-XX:ArchiveClassesAtExit=$STAGE/lib/clawless-hub.aot"
    echo "-XX:SharedArchiveFile=@LIB@/clawless-hub.aot" > "$STAGE/lib/clawless-hub.aot.flags"
  fi
  # the cache names the class path as given: relative to lib/, so that it holds wherever the tree is unpacked
  if ! (cd "$STAGE/lib" && ../runtime/bin/java --enable-native-access=ALL-UNNAMED "$record" \
      -jar clawless-hub.jar --aot-training >"$OUT/aot-training.log" 2>&1); then
    step "the start-up cache could not be recorded (see $OUT/aot-training.log); the distribution starts without it"
    rm -f "$STAGE/lib/clawless-hub.aot" "$STAGE/lib/clawless-hub.aot.flags"
  fi
else
  step "4/5 no start-up cache (--no-aot)"
fi

step "5/5 packing $NAME.tar.gz"
tar -C "$OUT" -czf "$OUT/$NAME.tar.gz" "$NAME"
echo "$OUT/$NAME.tar.gz"
