#!/bin/bash
# JVM options for the polling agent alone, compared under the same load: starts the agent once per
# variant, all variants at the same time (through the launcher, like StartupBenchmark's `polling`
# configuration: polls every second, publishes to notifier:// on the local RabbitMQ), awaits each
# one's readiness, lets them poll SETTLE seconds and prints each one's VmRSS and VmHWM. A measurement, not a
# test (docs/benchmarks.md, "The polling agent without the store").
#
#   bench/agent-options.sh ROUNDS JAR LAUNCHER [SETTLE [VARIANT...]]
#     e.g. 3 /tmp/agent-after.jar deploy/bin/altimeter 120 "control||" "small-heap||-Xmx32m"
#
# A variant is name|environment|JAVA_OPTS (environment: empty or NAME=value words); without any, the
# four below. SETTLE is the seconds of polling after readiness before the RSS is read (default 20).
# A variant's environment may name its own ALTIMETER_JAR and LAUNCHER (before/after comparisons).
# Class data sharing is off (ALTIMETER_CDS=off) unless a variant's environment turns it on: the
# archive is mapped into the RSS and its training would run inside the first round.
set -u
rounds=$1 jar=$2 launcher=$3 settle=${4:-20}
shift $(($# < 4 ? $# : 4))
variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
  variants=(
    "control||"
    "arena2|MALLOC_ARENA_MAX=2|"
    "freeratio||-XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30"
    "both|MALLOC_ARENA_MAX=2|-XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30"
  )
fi
work=$(mktemp -d)
printf -- '---\nsources:\n  - name: every_second\n    interval: 1\n    meters:\n      - "*"\n' > "$work/polling.yaml"
printf -- '---\nsources:\n  - name: all\n    meters:\n      - "*"\n    sinks:\n      - out\nsinks:\n  - name: out\n    publishers:\n      - notifier://guest:guest@127.0.0.1:5672/?topic=bench_startup\n' > "$work/pipeline.yaml"
for round in $(seq 1 "$rounds"); do
  pids=() ports=() i=0
  for v in "${variants[@]}"; do
    IFS='|' read -r name envs opts <<<"$v"
    port=$((20000 + round * 100 + i)) mport=$((21000 + round * 100 + i))
    run=$launcher
    for word in $envs; do
      case $word in LAUNCHER=*) run=${word#LAUNCHER=} ;; esac
    done
    # shellcheck disable=SC2086 # $envs is empty or NAME=value words
    env ALTIMETER_CDS=off ALTIMETER_JAR="$jar" $envs JAVA_OPTS="$opts" "$run" \
      --altimeter.roles=polling --altimeter.polling.file="$work/polling.yaml" \
      --altimeter.pipeline.file="$work/pipeline.yaml" --server.port=$port --management.server.port=$mport \
      --altimeter.data-dir="$work/data-$name" --logging.level.root=WARN > "$work/$name-$round.log" 2>&1 &
    pids+=($!) ports+=($mport) i=$((i + 1))
  done
  start=$(date +%s)
  i=0
  for port in "${ports[@]}"; do
    until curl -sf -m 2 "127.0.0.1:$port/actuator/health/readiness" >/dev/null; do
      kill -0 "${pids[$i]}" 2>/dev/null || { echo "variant $i exited before ready: see $work" >&2; exit 1; }
      sleep 1
    done
    i=$((i + 1))
  done
  ready=$(($(date +%s) - start))
  sleep "$settle"
  i=0
  for v in "${variants[@]}"; do
    echo "round $round ${v%%|*}: $(grep -E 'VmRSS|VmHWM' "/proc/${pids[$i]}/status" | tr -s ' \t\n' ' ')" \
      "(all ready after ${ready}s, load $(cut -d' ' -f1-3 /proc/loadavg))"
    kill "${pids[$i]}"
    i=$((i + 1))
  done
  wait
done
