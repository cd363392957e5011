#!/usr/bin/env bash
# Offline checks of the deployment files (the Helm chart itself is checked by HelmChartTest in
# `mvn test`: helm lint --strict, helm template, the schema, golden files).
#
#  1. the validator's self-test: known-bad manifests must be rejected
#  2. the chart's rendered manifests (deploy/helm/golden/*.yaml, kept equal to `helm template` by
#     HelmChartTest) validated against the Kubernetes 1.27.1 API schemas (+ ServiceMonitor CRD)
#  3. `kubectl kustomize` of deploy/k8s/base and every overlay, validated the same way
#  4. kustomize's copies of Ceilometer's files equal the chart's
#  5. the Grafana dashboard and the Prometheus config are well formed (promtool when installed)
#
# Needs: node + npm (the npm registry for `npm ci` the first time), kubectl (its built-in kustomize).
# Usage: .ci/deploy-checks.sh   (from anywhere; ~15 s once node_modules is installed)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp -d /tmp/altimeter-deploy-checks.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
fail() { echo "deploy-checks: FAIL: $*" >&2; exit 1; }
pass=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }

command -v node >/dev/null || fail "node is required"
command -v kubectl >/dev/null || fail "kubectl is required for kustomize (Debian/Google package kubectl)"

V=deploy/validate
if [[ ! -d $V/node_modules ]] || ! cmp -s $V/package-lock.json $V/node_modules/.package-lock.json 2>/dev/null; then
  (cd $V && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm ci in $V"
fi

node $V/validate.mjs --expect-invalid $V/fixtures/invalid.yaml > "$OUT/selftest.log" || { cat "$OUT/selftest.log"; fail "validator self-test"; }
ok "validator rejects $(grep -c '^ok' "$OUT/selftest.log") known-bad manifests"

shopt -s nullglob
golden=(deploy/helm/golden/*.yaml)
(( ${#golden[@]} >= 2 )) || fail "golden manifests missing in deploy/helm/golden"
node $V/validate.mjs "${golden[@]}" || fail "rendered chart manifests are invalid"
ok "chart manifests valid: ${golden[*]}"

for dir in deploy/k8s/base deploy/k8s/overlays/*/; do
  dir=${dir%/}
  name=$(echo "$dir" | tr '/' '_')
  kubectl kustomize "$dir" > "$OUT/$name.yaml" || fail "kubectl kustomize $dir"
  node $V/validate.mjs "$OUT/$name.yaml" || fail "kustomize output of $dir is invalid"
  ok "kustomize $dir valid"
done

for f in deploy/helm/altimeter/files/*.yaml; do
  cmp -s "$f" "deploy/k8s/base/config/$(basename "$f")" || fail "deploy/k8s/base/config/$(basename "$f") differs from $f"
done
ok "kustomize config files equal the chart's"

node -e '
const fs = require("fs");
const d = JSON.parse(fs.readFileSync("deploy/grafana/altimeter-dashboard.json", "utf8"));
const ids = new Set(); let exprs = 0;
const walk = (ps) => { for (const p of ps || []) {
  if (ids.has(p.id)) throw new Error("duplicate panel id " + p.id); ids.add(p.id);
  for (const t of p.targets || []) { if (!t.expr) throw new Error("panel " + p.title + " has a target without expr"); exprs++; }
  walk(p.panels); } };
if (!d.uid || !d.title) throw new Error("dashboard needs uid and title");
walk(d.panels);
for (const m of ["altimeter_pipeline_samples_total", "altimeter_pipeline_queue_samples", "altimeter_store_batch_duration_seconds",
                 "http_server_requests_seconds", "jvm_memory_used_bytes", "r2dbc_pool"]) {
  if (!JSON.stringify(d).includes(m)) throw new Error("dashboard has no panel for " + m);
}
console.log("dashboard: " + ids.size + " panels, " + exprs + " queries");
' || fail "grafana dashboard"
ok "grafana dashboard well formed"

if command -v promtool >/dev/null; then
  promtool check config --syntax-only deploy/prometheus/prometheus.yml >/dev/null || fail "promtool check config"
  ok "promtool check config deploy/prometheus/prometheus.yml"
else
  grep -q '/actuator/prometheus' deploy/prometheus/prometheus.yml || fail "prometheus.yml does not scrape /actuator/prometheus"
  ok "prometheus.yml present (promtool not installed: syntax not checked)"
fi

# the launcher (README's run command): JVM options per role, JAVA_OPTS last, arguments passed on
L=deploy/bin/altimeter
sh -n $L || fail "$L: syntax"
dry() { env ALTIMETER_LAUNCHER_DRY_RUN=1 ALTIMETER_JAR=/x.jar "$@"; }
out=$(dry $L --altimeter.roles=polling --a=b)
[[ $out == java\ *-XX:+UseSerialGC*-Xmx64m*-jar\ /x.jar\ --altimeter.roles=polling\ --a=b ]] || fail "$L polling: $out"
out=$(dry ALTIMETER_ROLES=Polling $L)
[[ $out == *-Xmx64m* ]] || fail "$L with ALTIMETER_ROLES=Polling: $out"
out=$(dry $L)
[[ $out == *-Xmx256m*-jar\ /x.jar ]] || fail "$L all roles: $out"
out=$(dry $L --altimeter.roles=polling,api)
[[ $out == *-Xmx256m* ]] || fail "$L polling,api: $out"
out=$(dry JAVA_OPTS="-Xmx1g -Dx=1" $L)
[[ $out == *-Xmx256m*-Xmx1g\ -Dx=1\ -jar* ]] || fail "$L JAVA_OPTS must come last: $out"
out=$(dry JAVA_OPTS="-Xmx96m" $L)
[[ $out == *-Xmx96m* && $out != *-Xms* && $out != *-Xmn* ]] || fail "$L: a JAVA_OPTS heap must drop the initial heap: $out"
ok "launcher $L: role-sized options, JAVA_OPTS last, arguments passed on"

# its class data sharing without a JVM to train (.ci/cds-check.sh trains with the real jar): a dry
# run creates nothing, a failed training (a jar that cannot be extracted) starts without the archive
# and says so once per start, ALTIMETER_CDS=off says nothing
C=$OUT/cds; : >"$OUT/broken.jar"
cds() { env ALTIMETER_CDS_DIR="$C" ALTIMETER_JAR="$OUT/broken.jar" "$@" 2>"$OUT/cds.err"; }
out=$(cds ALTIMETER_LAUNCHER_DRY_RUN=1 $L)
[[ $out == *-Xmx256m*-jar\ $OUT/broken.jar && $out != *SharedArchiveFile* && ! -e $C ]] || fail "$L dry run: $out"
grep -q "dry run: a start would create the class data archive" "$OUT/cds.err" || fail "$L dry run: $(cat "$OUT/cds.err")"
cds ALTIMETER_CDS=train $L || fail "$L: a failed training must not fail the launcher"
grep -q "could not be created" "$OUT/cds.err" || fail "$L failed training: $(cat "$OUT/cds.err")"
out=$(cds ALTIMETER_LAUNCHER_DRY_RUN=1 $L)
[[ $out == *-jar\ $OUT/broken.jar && $out != *SharedArchiveFile* ]] || fail "$L after a failed training: $out"
[[ $(cat "$OUT/cds.err") == *"its training failed"* ]] || fail "$L after a failed training: $(cat "$OUT/cds.err")"
out=$(cds ALTIMETER_LAUNCHER_DRY_RUN=1 ALTIMETER_CDS=off $L)
[[ $out == *-jar\ $OUT/broken.jar && ! -s $OUT/cds.err ]] || fail "$L ALTIMETER_CDS=off: $out $(cat "$OUT/cds.err")"
ok "launcher $L: class data sharing falls back to a plain start when it cannot train"

echo "deploy-checks: $pass passed, 0 failed"
