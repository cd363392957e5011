#!/usr/bin/env bash
# Proves the Jib configuration of deploy/pom.xml offline and checks the layers of the Spring Boot jar.
#
# No image registry is reachable here, so the image is built with jib:buildTar on a base image tar
# assembled locally (a docker-save tar with one layer holding /etc/passwd and /tmp). Real builds use
# the configured base eclipse-temurin:17-jre (see docs/deployment.md). Then the image tar is read:
# config (user, ports, entrypoint, JVM flags, env), layers (dependencies, snapshot modules,
# resources, classes), and the application is started from the image's own layers and classpath
# file with the host's JRE, until /actuator/health/liveness answers on the management port. The
# image chooses no altimeter.api.auth (the chart and kustomize do), so it runs as the README's
# command does: auth none on 127.0.0.1 only, with a WARN saying so.
#
# Needs: java 17, mvn, tar, sha256sum, curl; the modules installed (mvn -B install -DskipTests).
# Usage: .ci/jib-check.sh      (from the repository root; ~1-2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$(mktemp -d /tmp/altimeter-jib.XXXXXX)
APP_PID=""
cleanup() {
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "jib-check: FAIL: $*" >&2; exit 1; }
pass=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }

JAR=deploy/target/altimeter.jar
[[ -f $JAR ]] || fail "$JAR missing: run mvn -B install -DskipTests first"

# --- 1. layers of the Spring Boot jar (jarmode tools) ---------------------------------------------
layers=$(java -Djarmode=tools -jar "$JAR" list-layers)
echo "$layers" | tr '\n' ' ' | grep -q "dependencies spring-boot-loader snapshot-dependencies application" \
  || fail "unexpected jar layers: $layers"
ok "jar layers: $(echo $layers)"
mkdir -p "$WORK/extract"
java -Djarmode=tools -jar "$JAR" extract --layers --launcher --destination "$WORK/extract" >/dev/null
ls "$WORK/extract/dependencies/BOOT-INF/lib/" | grep -q '^spring-webflux-' || fail "spring-webflux not in the dependencies layer"
ls "$WORK/extract/application/BOOT-INF/classes/dev/altimeter/deploy/AltimeterApplication.class" >/dev/null \
  || fail "application classes not in the application layer"
find "$WORK/extract/dependencies" -name 'altimeter-*.jar' | grep -q . \
  && fail "project modules must not sit in the rarely-changing dependencies layer"
for m in core storage-postgres; do
  find "$WORK/extract" -name "altimeter-$m-*.jar" | grep -q . || fail "altimeter-$m module jar not found in any layer"
done
ok "jar layer contents (third-party libs in dependencies, project modules and classes above them)"

# --- 2. a base image tar, assembled from files ---------------------------------------------------
B="$WORK/base"; mkdir -p "$B/rootfs/etc" "$B/rootfs/tmp"
chmod 1777 "$B/rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\naltimeter:x:10001:10001:altimeter:/tmp:/sbin/nologin\n' > "$B/rootfs/etc/passwd"
printf 'root:x:0:\naltimeter:x:10001:\n' > "$B/rootfs/etc/group"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$B/rootfs" -cf "$B/layer.tar" etc tmp
DIFF_ID=sha256:$(sha256sum "$B/layer.tar" | cut -d' ' -f1)
cat > "$B/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java/openjdk"]},"rootfs":{"type":"layers","diff_ids":["$DIFF_ID"]},"history":[{"created_by":"altimeter jib-check base"}]}
JSON
echo '[{"Config":"config.json","RepoTags":["altimeter-ci-base:local"],"Layers":["layer.tar"]}]' > "$B/manifest.json"
tar -C "$B" -cf "$WORK/base.tar" manifest.json config.json layer.tar
ok "base image tar assembled ($WORK/base.tar)"

# --- 3. jib:buildTar with the project's configuration on that base -------------------------------
OUT="$WORK/altimeter-image.tar"
timeout 300 ./mvnw -B -q -pl deploy jib:buildTar -Djib.from.image="tar://$WORK/base.tar" \
  -Djib.outputPaths.tar="$OUT" -Djib.to.image=altimeter:ci -Djib.console=plain \
  > "$WORK/jib.log" 2>&1 || { cat "$WORK/jib.log"; fail "jib:buildTar failed"; }
[[ -s $OUT ]] || fail "no image tar"
ok "jib:buildTar built $(du -h "$OUT" | cut -f1) image"

# --- 4. read the image -----------------------------------------------------------------------------
I="$WORK/image"; mkdir -p "$I"; tar -C "$I" -xf "$OUT"
CONFIG=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))[0].Config)' "$I/manifest.json" 2>/dev/null \
  || sed -E 's/.*"Config":"([^"]+)".*/\1/' "$I/manifest.json")
CFG="$I/$CONFIG"
grep -q '"User":"10001:10001"' "$CFG" || fail "image user is not 10001:10001: $(cat "$CFG")"
grep -q '"8777/tcp"' "$CFG" || fail "port 8777 (API) not exposed"
grep -q '"9777/tcp"' "$CFG" || fail "port 9777 (management) not exposed"
grep -q 'ALTIMETER_API_AUTH' "$CFG" && fail "the image must not choose altimeter.api.auth (the deployment does)"
for flag in -XX:MaxRAMPercentage=50.0 -XX:+UseSerialGC -Xss512k -XX:+ExitOnOutOfMemoryError dev.altimeter.deploy.AltimeterApplication; do
  grep -q -- "\"$flag\"" "$CFG" || fail "entrypoint lacks $flag"
done
grep -q 'ALTIMETER_DATA_DIR=/tmp/altimeter-data' "$CFG" || fail "ALTIMETER_DATA_DIR not set"
ok "image config: non-root user, ports 8777 and 9777, no auth chosen, container-sized JVM flags, main class"

ROOTFS="$WORK/rootfs"; mkdir -p "$ROOTFS"
nlayers=0
for layer in $(sed -E 's/.*"Layers":\[([^]]*)\].*/\1/' "$I/manifest.json" | tr -d '"' | tr ',' ' '); do
  tar --warning=no-unknown-keyword -C "$ROOTFS" -xf "$I/$layer"; nlayers=$((nlayers + 1))
done
(( nlayers >= 5 )) || fail "expected the base layer plus Jib's layers, got $nlayers"
[[ -f $ROOTFS/etc/passwd ]] || fail "base layer missing from the image"
ls "$ROOTFS/app/libs/" | grep -q '^spring-webflux-' || fail "dependencies not in /app/libs"
ls "$ROOTFS/app/libs/" | grep -q '^altimeter-core-' || fail "project modules not in /app/libs"
ls "$ROOTFS/app/libs/" | grep -q '^altimeter-storage-postgres-' || fail "project modules not in /app/libs"
[[ -f $ROOTFS/app/classes/dev/altimeter/deploy/AltimeterApplication.class ]] || fail "classes not in /app/classes"
[[ -f $ROOTFS/app/resources/application.yaml ]] || fail "resources not in /app/resources"
[[ -f $ROOTFS/app/jib-classpath-file ]] || fail "no jib-classpath-file"
ok "image layers: $nlayers layers, /app/libs, /app/classes, /app/resources"

# --- 5. run the image's application with its own classpath (host JRE stands in for the base's) ----
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }
PORT=$(free_port)
MPORT=$(free_port)
[[ $MPORT != "$PORT" ]] || MPORT=$(free_port)
CP=$(sed "s#/app/#$ROOTFS/app/#g" "$ROOTFS/app/jib-classpath-file")
(cd "$WORK" && exec java -XX:MaxRAMPercentage=50.0 -cp "$CP" dev.altimeter.deploy.AltimeterApplication \
  --server.port="$PORT" --management.server.port="$MPORT" --altimeter.data-dir="$WORK/data" > "$WORK/app.log" 2>&1) &
APP_PID=$!
for _ in $(seq 1 90); do
  if curl -fsS "http://127.0.0.1:$MPORT/actuator/health/liveness" >/dev/null 2>&1; then break; fi
  kill -0 "$APP_PID" 2>/dev/null || { tail -40 "$WORK/app.log"; fail "application from the image exited"; }
  sleep 1
done
curl -fsS "http://127.0.0.1:$MPORT/actuator/health/liveness" | grep -q UP || { tail -40 "$WORK/app.log"; fail "liveness not UP"; }
ok "application started from the image layers answers /actuator/health/liveness on the management port"
grep -q "no altimeter.api.auth chosen" "$WORK/app.log" || { tail -40 "$WORK/app.log"; fail "no WARN about the unchosen auth"; }
ok "with no auth chosen the image's application logs that it listens on 127.0.0.1 only"

echo "jib-check: $pass passed, 0 failed"
