#!/usr/bin/env bash
# The console (/console) in a real browser: Debian's chromium, driven by playwright-core
# (.ci/console/check.mjs, pinned in .ci/console/package-lock.json and installed with npm ci into
# .ci/console/node_modules).
#
#  1. starts Altimeter's jar (embedded PostgreSQL under a temp dir) on free loopback ports with no
#     altimeter.api.auth (auth none): posts two test meters' samples, opens /console, picks the meter
#     with the keyboard search, and requires the chart's points and the table to be exactly
#     GET /v2/meters/{name}/statistics for the same filters, range and period; then the PromQL box
#     against /api/v1/query_range (compared when the service answers it, its error shown otherwise);
#     a screenshot to $CONSOLE_SCREENSHOT (target/console.png);
#  2. restarts it on the same data dir with altimeter.api.auth=token: the page must ask for a token,
#     take the admin token (written to the data dir on first start) and show the same statistics.
# About a minute or two; both runs are stopped on exit.
#
# Needs: java 17, curl, node >= 20 and npm (the registry, for npm ci), /usr/bin/chromium (or
# CHROMIUM), deploy/target/altimeter.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=${ALTIMETER_JAR:-deploy/target/altimeter.jar}
SHOT=${CONSOLE_SCREENSHOT:-$PWD/target/console.png}
WORK=$(mktemp -d /tmp/altimeter-console.XXXXXX)
APP_PID=""
stop() { local pid=$1; [[ -n $pid ]] || return 0; kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done; kill -9 "$pid" 2>/dev/null || true; }
cleanup() { stop "$APP_PID"; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
fail() {
  echo "console-check: FAIL: $*" >&2
  [[ -f $WORK/app.log ]] && { echo "--- altimeter log (tail)"; tail -30 "$WORK/app.log"; } >&2
  exit 1
}

[[ -f $JAR ]] || fail "$JAR missing: run ./mvnw -B install -DskipTests first"
if [[ ! -x ${CHROMIUM:-/usr/bin/chromium} ]]; then
  echo "installing Debian's chromium"
  (apt-get install -y -q --no-install-recommends chromium >"$WORK/apt.log" 2>&1 \
    || { apt-get update >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends chromium >>"$WORK/apt.log" 2>&1; }) \
    || { tail -5 "$WORK/apt.log" >&2; true; }
fi
[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || fail "${CHROMIUM:-/usr/bin/chromium} missing (apt-get install chromium)"
command -v npm >/dev/null || fail "npm missing (apt-get install nodejs npm)"
(cd .ci/console && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >"$WORK/npm.log" 2>&1) \
  || { cat "$WORK/npm.log" >&2; fail "npm ci in .ci/console"; }
mkdir -p "$(dirname "$SHOT")"

# two distinct free ports: two sockets closed in turn can be handed the same one
read -r APP_PORT MGMT_PORT < <(python3 -c 'import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])')

start() {
  java -jar "$JAR" --server.port="$APP_PORT" --management.server.port="$MGMT_PORT" \
    --altimeter.data-dir="$WORK/data" "$@" >> "$WORK/app.log" 2>&1 &
  APP_PID=$!
  local deadline=$((SECONDS + 120))
  until curl -fsS "http://127.0.0.1:$MGMT_PORT/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; do
    kill -0 "$APP_PID" 2>/dev/null || fail "altimeter exited"
    (( SECONDS < deadline )) || fail "altimeter not ready within 120s"
    sleep 1
  done
}

# both runs look at the same hour of samples
export CONSOLE_END=$(( $(date +%s) / 60 * 60 ))

echo "== console in chromium, auth none"
start
CONSOLE_SCREENSHOT="$SHOT" ALTIMETER_URL="http://127.0.0.1:$APP_PORT" node .ci/console/check.mjs \
  || fail "the console check (auth none)"
stop "$APP_PID"; APP_PID=""

echo "== console in chromium, auth token"
start --altimeter.api.auth=token
[[ -s $WORK/data/admin-token ]] || fail "no admin token in $WORK/data/admin-token"
CONSOLE_POST=0 CONSOLE_TOKEN_FILE="$WORK/data/admin-token" CONSOLE_SCREENSHOT="${SHOT%.png}-token.png" \
  ALTIMETER_URL="http://127.0.0.1:$APP_PORT" node .ci/console/check.mjs || fail "the console check (auth token)"
echo "console-check: passed; screenshots: $SHOT ${SHOT%.png}-token.png"
