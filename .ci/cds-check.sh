#!/usr/bin/env bash
# The launcher's class data sharing, end to end with the built jar (deploy/bin/altimeter, section
# "Class data sharing"; docs/operations.md, "Start-up"):
#
#  1. ALTIMETER_CDS=train extracts the jar and trains one archive; the training leaves no
#     PostgreSQL running and no data directory behind, and creates no ./data where it was run;
#  2. the service then starts on that archive (mapped into the JVM, readiness 200) with its own
#     data directory, and stops on SIGTERM;
#  3. a rebuilt jar (a new mtime) is not served the old archive: a dry run names a new one.
#
# Needs: deploy/target/altimeter.jar (mvn -B package -DskipTests), curl. About 1-3 minutes (one
# training, one start). Usage: .ci/cds-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
L=$PWD/deploy/bin/altimeter
W=$(mktemp -d /tmp/altimeter-cds-check.XXXXXX)
service=
cleanup() {
  if [[ -n $service ]] && kill -0 "$service" 2>/dev/null; then kill "$service"; wait "$service" || true; fi
  rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "cds-check: FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }

cp deploy/target/altimeter.jar "$W/altimeter.jar"
export ALTIMETER_JAR=$W/altimeter.jar ALTIMETER_CDS_DIR=$W/cds
mkdir "$W/run"
(cd "$W/run" && ALTIMETER_CDS=train "$L") || fail "training run"
archives=("$W"/cds/*/*/*.jsa)
[[ ${#archives[@]} -eq 1 && -s ${archives[0]} ]] || fail "expected one archive: ${archives[*]}"
# the training's PostgreSQL runs with -D <cache>/...training-data/postgresql
if pgrep -f -- "$W/cds" >/dev/null; then fail "left running: $(pgrep -af -- "$W/cds")"; fi
[[ -z $(find "$W/cds" -name '*.training-data') ]] || fail "training data directory left behind"
[[ ! -e $W/run/data ]] || fail "the training created ./data"
ok "training: one archive ($(du -m "${archives[0]}" | cut -f 1) MB), no PostgreSQL or data left"

port=$((20000 + RANDOM % 20000)); management=$((port + 1))
(cd "$W/run" && exec "$L" --altimeter.data-dir="$W/data" --server.port=$port \
  --management.server.port=$management >"$W/service.log" 2>&1) &
service=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$management/actuator/health/readiness" >/dev/null && break
  kill -0 "$service" 2>/dev/null || fail "the service exited: $(tail -20 "$W/service.log")"
  sleep 0.5
done
curl -fs "http://127.0.0.1:$management/actuator/health/readiness" >/dev/null || fail "not ready in 5 minutes"
# the launcher execs java, so $service is the JVM
grep -q -- "${archives[0]}" "/proc/$service/maps" || fail "the JVM did not map ${archives[0]}"
kill "$service"; wait "$service" || true; service=
ok "the service started on the archive (mapped, ready) and stopped"

touch "$W/altimeter.jar"
ALTIMETER_LAUNCHER_DRY_RUN=1 "$L" 2>"$W/dry.err" >/dev/null
grep -q "would create the class data archive" "$W/dry.err" || fail "a rebuilt jar got the old archive: $(cat "$W/dry.err")"
ok "a rebuilt jar gets a new archive"
echo "cds-check: passed"
