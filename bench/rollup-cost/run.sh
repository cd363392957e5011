#!/bin/bash
# The write path's statement (PostgresSampleWriter, read from the source) on the bench's
# batches, without the service: N batches of 1,000 samples in one session as a prepared statement (as
# R2DBC runs it: generic plan after 5), on fresh tables; prints the backend's CPU time per batch (less
# disturbed by a loaded machine than wall time) and the HOT share of the updates.
#
#   run.sh setup                 # once: database $DB (writecost) on $PGHOST:$PGPORT, migrations V1.. and setup.sql
#   run.sh on|off ff50|ff100 [N] # rollups on (the store's statement) or off (rolling into no level)
#   SPANS=off run.sh ...         # the statement without its resource_span step (ResourceSpans, V11)
#   run.sh before13 ff100 [N]    # the statement before issue 13 (1dcc689: samples and series only)
#
# Array building (a_* functions) is counted in every variant alike.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
DB=${DB:-writecost}
P="psql -q -X -h ${PGHOST:-127.0.0.1} -p ${PGPORT:-5432} -U ${PGUSER:-postgres}"
tmp=$(mktemp -d)
if [ "$1" = setup ]; then
  $P -d postgres -c "CREATE DATABASE $DB"
  for f in $(ls "$repo"/storage-postgres/src/main/resources/db/migration/altimeter/V*.sql | sort -V); do
    $P -d $DB -v ON_ERROR_STOP=1 -f "$f" >/dev/null
  done
  $P -d $DB -v ON_ERROR_STOP=1 -f "$here/setup.sql"
  exit
fi
N=${3:-100}
git -C "$repo" show 1dcc689:storage/src/main/java/dev/altimeter/storage/postgres/PostgresSampleStore.java > "$tmp/before13.java"
python3 - "$repo" "$1" "$tmp/before13.java" > "$tmp/stmt.sql" <<'PY'
import os, re, sys
if sys.argv[2] == 'before13':
  src = open(sys.argv[3]).read()
  i = src.index('WITH input AS ('); j = src.index('SELECT count(*) AS stored FROM ins', i) + 34
  print(' '.join(src[i:j].split()))
  sys.exit()
src = open(sys.argv[1] + '/storage-postgres/src/main/java/dev/altimeter/storage/postgres/PostgresSampleWriter.java').read()
k = src.index('INSERT INTO series (meter_id'); l = src.index('""".formatted(samples)', k)
series = src[k:l].replace('%s', 'ins', 1)
i = src.index('WITH input AS ('); j = src.index('SELECT count(*) AS stored FROM ins', i) + 34
rollups = open(sys.argv[1] + '/storage-postgres/src/main/java/dev/altimeter/storage/postgres/PostgresRollups.java').read()
k = rollups.index('INSERT INTO rollup ('); l = rollups.index('""".formatted(samples, granularities, shard)', k)
levels = 'rollup_granularity' if sys.argv[2] == 'on' else '(SELECT 1 AS seconds WHERE false)'
sql = src[i:j].replace('ROLLUP_UPSERT', rollups[k:l].replace('%1$s x', 'ins x', 1).replace('%2$s g', levels + ' g', 1).replace('%3$s', '$8', 1))
sql = sql.replace('SERIES_UPSERT', series)
spans = open(sys.argv[1] + '/storage-postgres/src/main/java/dev/altimeter/storage/postgres/ResourceSpans.java').read()
if os.environ.get('SPANS', 'on') == 'off':
  a = sql.index('RETURNING resource_pk, first_seq'); b = sql.index(')', sql.index('SPAN_UPSERT')) + 1
  sql = sql[:a] + ')' + sql[b:]
else:
  k = spans.index('INSERT INTO resource_span (')
  sql = sql.replace('SPAN_UPSERT', spans[k:spans.index('"""', k)])
if 'SERIES_TOTALS' in sql:
  totals = open(sys.argv[1] + '/storage-postgres/src/main/java/dev/altimeter/storage/postgres/SeriesTotals.java').read()
  k = totals.index('MERGE = """') + 11
  sql = sql.replace('SERIES_TOTALS', totals[k:totals.index('"""', k)])
print(' '.join(sql.split()))
PY
# the statement before issue 13 does not write the series' totals (V12)
totals=$([ "$1" = before13 ] && echo "SET DEFAULT 0" || echo "DROP DEFAULT")
$P -d $DB -c "ALTER TABLE series ALTER count $totals, ALTER sum $totals, ALTER m2 $totals" >/dev/null
$P -d $DB -f "$here/$2.sql" -f "$here/reset.sql" -c "SELECT pg_stat_reset()" >/dev/null 2>&1
# $8: the all-owners shard, as the writer picks it (one per batch, in turn)
ex() { echo "EXECUTE q(a_ids($1), a_ts($1), a_meters($1), a_owners($1), a_meta($1), a_vol($1), a_sig($1), $(($1 % 8)));"; }
{
  echo "\\t on"
  echo "SELECT pg_backend_pid() \\g $tmp/pid"
  echo "PREPARE q(uuid[], bigint[], int[], bigint[], bigint[], float8[], text[], int) AS $(cat "$tmp/stmt.sql");"
  echo "\\o /dev/null"
  for ((i = 0; i < 10; i++)); do ex $i; done
  echo "\\! awk '{print \$14 + \$15}' /proc/\$(tr -dc 0-9 < $tmp/pid)/stat > $tmp/cpu0"
  for ((i = 10; i < N; i++)); do ex $i; done
  echo "\\! awk '{print \$14 + \$15}' /proc/\$(tr -dc 0-9 < $tmp/pid)/stat > $tmp/cpu1"
} > "$tmp/run.sql"
$P -d $DB -v ON_ERROR_STOP=1 -f "$tmp/run.sql"
ticks=$(( $(cat "$tmp/cpu1") - $(cat "$tmp/cpu0") ))
echo "rollups $1, $2: $(( ticks * 1000000 / $(getconf CLK_TCK) / (N - 10) )) us CPU per batch; load $(cut -d' ' -f1 /proc/loadavg)"
sleep 1
$P -d $DB -f "$here/stats.sql"
rm -rf "$tmp"
