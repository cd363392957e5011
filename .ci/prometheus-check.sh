#!/usr/bin/env bash
# A real Prometheus server scrapes a real Altimeter, and its HTTP API shows the series arrived.
#
#  - installs Debian's `prometheus` (2.42) when missing, without letting the package start a service
#  - starts Altimeter's jar (embedded PostgreSQL under a temp dir) on free loopback ports, the API and
#    the management server (the actuator) each on its own, with no altimeter.api.auth (the README's
#    defaults: auth none, loopback only, and a WARN saying so)
#  - starts Prometheus on 127.0.0.1:19090 (or PROMETHEUS_PORT) with deploy/prometheus/prometheus.yml,
#    its targets rewritten to the management port, a 1s scrape interval and a temp storage dir
#  - checks that the API port serves no /actuator (the samples are tenant data)
#  - POSTs one sample to /v2/meters/<name>, waits for scrapes, and asserts through /api/v1/query that
#    both kinds of series arrived:
#      the service's own (job "altimeter", /actuator/prometheus): altimeter_pipeline_samples_total
#        {outcome="stored"} >= 1, queue, store batch, exposition, HTTP and JVM series;
#      the collected samples (job "altimeter-samples", /actuator/samples): the posted sample as
#        ceilometer_ci_check_meter{resource_id="r1",project_id=...,unit="u"} == 42, a gauge
#  - EXTRA_PROMQL="<query>" (optional) also requires that query to return at least one series
# Everything is bounded in time (about 1-2 minutes) and both processes are stopped on exit.
#
# Needs: java 17, curl, apt-get (root) unless prometheus is installed; deploy/target/altimeter.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JAR=${ALTIMETER_JAR:-deploy/target/altimeter.jar}
PROM_PORT=${PROMETHEUS_PORT:-19090}
METER=${CHECK_METER:-ci.check.meter}
WORK=$(mktemp -d /tmp/altimeter-prom.XXXXXX)
APP_PID=""; PROM_PID=""
stop() { local pid=$1; [[ -n $pid ]] || return 0; kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done; kill -9 "$pid" 2>/dev/null || true; }
cleanup() { stop "$PROM_PID"; stop "$APP_PID"; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
fail() {
  echo "prometheus-check: FAIL: $*" >&2
  [[ -f $WORK/app.log ]] && { echo "--- altimeter log (tail)"; tail -30 "$WORK/app.log"; } >&2
  [[ -f $WORK/prom.log ]] && { echo "--- prometheus log (tail)"; tail -15 "$WORK/prom.log"; } >&2
  exit 1
}
pass=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }

[[ -f $JAR ]] || fail "$JAR missing: run mvn -B install -DskipTests first"

# --- Prometheus binary ----------------------------------------------------------------------------
PROM=$(command -v prometheus || true)
if [[ -z $PROM ]]; then
  echo "installing Debian's prometheus package (its service is not started)"
  created_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1
  fi
  (apt-get install -y --no-install-recommends prometheus >"$WORK/apt.log" 2>&1 \
    || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends prometheus >>"$WORK/apt.log" 2>&1; }) \
    || { [[ -n $created_policy ]] && rm -f /usr/sbin/policy-rc.d; tail -20 "$WORK/apt.log"; fail "apt-get install prometheus"; }
  [[ -n $created_policy ]] && rm -f /usr/sbin/policy-rc.d
  PROM=$(command -v prometheus) || fail "prometheus not on PATH after install"
fi
ok "$($PROM --version 2>&1 | head -1)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }
APP_PORT=${ALTIMETER_PORT:-$(free_port)}
MGMT_PORT=${ALTIMETER_MANAGEMENT_PORT:-$(free_port)}
[[ $MGMT_PORT != "$APP_PORT" ]] || MGMT_PORT=$(free_port)
if curl -s -o /dev/null "http://127.0.0.1:$PROM_PORT/"; then fail "port $PROM_PORT is taken: set PROMETHEUS_PORT"; fi

# --- Altimeter ------------------------------------------------------------------------------------
java -jar "$JAR" --server.port="$APP_PORT" --management.server.port="$MGMT_PORT" --altimeter.data-dir="$WORK/data" \
  > "$WORK/app.log" 2>&1 &
APP_PID=$!
deadline=$((SECONDS + 120))
until curl -fsS "http://127.0.0.1:$MGMT_PORT/actuator/health/readiness" 2>/dev/null | grep -q '"UP"'; do
  kill -0 "$APP_PID" 2>/dev/null || fail "altimeter exited"
  (( SECONDS < deadline )) || fail "altimeter not ready within 120s"
  sleep 1
done
ok "altimeter ready: API on 127.0.0.1:$APP_PORT, management on 127.0.0.1:$MGMT_PORT"
grep -q "no altimeter.api.auth chosen: .* listens on 127.0.0.1 only" "$WORK/app.log" \
  || fail "no WARN about the default (auth none, loopback only) in the log"
ok "started without altimeter.api.auth: WARN logged, auth none on loopback"
for path in /actuator/samples /actuator/prometheus /actuator/health; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$APP_PORT$path")
  [[ $code == 404 ]] || fail "API port answered $code for $path (the actuator belongs to the management port)"
done
ok "API port serves no /actuator"

# --- Prometheus -----------------------------------------------------------------------------------
sed -e "s/127\.0\.0\.1:9777/127.0.0.1:$MGMT_PORT/" -e 's/scrape_interval: 15s/scrape_interval: 1s/' \
    -e 's/scrape_timeout: 10s/scrape_timeout: 1s/' deploy/prometheus/prometheus.yml > "$WORK/prometheus.yml"
grep -q "127.0.0.1:$MGMT_PORT" "$WORK/prometheus.yml" || fail "could not point prometheus.yml at port $MGMT_PORT"
if command -v promtool >/dev/null; then promtool check config "$WORK/prometheus.yml" >/dev/null || fail "promtool check config"; fi
"$PROM" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --storage.tsdb.retention.time=1h > "$WORK/prom.log" 2>&1 &
PROM_PID=$!
deadline=$((SECONDS + 30))
until curl -fsS "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1; do
  kill -0 "$PROM_PID" 2>/dev/null || fail "prometheus exited"
  (( SECONDS < deadline )) || fail "prometheus not ready within 30s"
  sleep 0.5
done
ok "prometheus ready on 127.0.0.1:$PROM_PORT"

# --- one sample in ------------------------------------------------------------------------------------
code=$(curl -sS -o "$WORK/post.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  "http://127.0.0.1:$APP_PORT/v2/meters/$METER" \
  -d "[{\"counter_name\":\"$METER\",\"counter_type\":\"gauge\",\"counter_unit\":\"u\",\"counter_volume\":42,\"resource_id\":\"r1\",\"project_id\":\"ci-project\"}]")
[[ $code == 2* ]] || fail "POST /v2/meters/$METER answered $code: $(cat "$WORK/post.json")"
ok "POST /v2/meters/$METER -> $code"

# --- the series, through Prometheus' HTTP API -----------------------------------------------------------
query() { curl -fsS --get "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1"; }
# wait until the query returns a sample whose value is >= min (or at least one series when min is empty)
expect() {
  local promql=$1 min=${2:-} what=$3 deadline=$((SECONDS + 45)) out=""
  while (( SECONDS < deadline )); do
    out=$(query "$promql" 2>/dev/null || true)
    if [[ $out == *'"status":"success"'* && $out == *'"value":['* ]]; then
      if [[ -z $min ]]; then ok "$what: $promql"; return 0; fi
      local v; v=$(echo "$out" | sed -E 's/.*"value":\[[0-9.]+,"([^"]+)"\].*/\1/')
      if awk -v v="$v" -v m="$min" 'BEGIN { exit !(v + 0 >= m + 0) }'; then ok "$what: $promql = $v"; return 0; fi
    fi
    sleep 1
  done
  fail "$what: $promql gave ${out:-nothing} within 45s"
}
expect 'up{job="altimeter"} == 1' "" "target scraped"
expect 'sum(altimeter_pipeline_samples_total{job="altimeter",outcome="stored"})' 1 "stored sample counted"
expect 'altimeter_pipeline_queue_samples_capacity{job="altimeter"}' "" "pipeline queue gauge"
expect 'altimeter_store_batch_duration_seconds_count{job="altimeter"}' 1 "store batch timer"
expect 'http_server_requests_seconds_count{job="altimeter",uri=~"/v2/meters.*",method="POST"}' 1 "HTTP server metrics"
expect 'jvm_memory_used_bytes{job="altimeter",area="heap"}' "" "JVM metrics"
expect 'altimeter_exposition_series{job="altimeter"}' 1 "exposition size gauge"
# the collected samples, from their own scrape job: Ceilometer's name, the sample's labels and value
SERIES="ceilometer_${METER//[.-]/_}"
expect "up{job=\"altimeter-samples\"} == 1" "" "samples target scraped"
expect "$SERIES{job=\"altimeter-samples\",resource_id=\"r1\",project_id=\"ci-project\",unit=\"u\"} == 42" "" \
  "collected sample exposed"
meta=$(curl -fsS --get "http://127.0.0.1:$PROM_PORT/api/v1/metadata" --data-urlencode "metric=$SERIES" || true)
[[ $meta == *'"type":"gauge"'* ]] || fail "metadata of $SERIES is not a gauge: $meta"
ok "$SERIES has type gauge (metadata)"
if [[ -n ${EXTRA_PROMQL:-} ]]; then
  expect "$EXTRA_PROMQL" "" "extra query (EXTRA_PROMQL)"
fi

echo "prometheus-check: $pass passed, 0 failed"
