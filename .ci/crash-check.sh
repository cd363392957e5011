#!/usr/bin/env bash
# Crashes mid-stream store every notification exactly once.
#
# Runs deploy's CrashRecoveryTest against this machine's RabbitMQ (127.0.0.1:5672, guest/guest)
# and PostgreSQL (user postgres on 127.0.0.1:5432, allowed to create a database). With N
# notifications streaming on a private exchange and topic (N distinct message ids):
#  a) the service on its embedded PostgreSQL (a temporary data dir) is killed (SIGKILL) and started
#     again on the same data dir: it must come back on its own (the killed run's postmaster is
#     still running) and store exactly N samples per meter;
#  b) the machine's PostgreSQL is restarted under the running service (a fresh database):
#     exactly N stored. This restarts the shared server for a few seconds.
# Its data dir, database, queues and exchanges are removed afterwards. About 2-3 minutes; killed
# after 11 (a loaded machine).
#
# Needs what .ci/shutdown-check.sh needs (from a worktree: .ci/crash-check.sh --am).
# Settings: ALTIMETER_CRASH_AMQP, ALTIMETER_CRASH_POSTGRES, ALTIMETER_CRASH_NOTIFICATIONS (10000),
#           ALTIMETER_CRASH_RESTART_POSTGRES (default: pg_ctlcluster restart of this machine's cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/service-check.sh
: "${ALTIMETER_CRASH_RESTART_POSTGRES:=pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -1) main restart}"
export ALTIMETER_CRASH_RESTART_POSTGRES
timeout --signal=TERM --kill-after=30 660 bash -c "source .ci/service-check.sh; \
  service_check crash-check CrashRecoveryTest ALTIMETER_CRASH_JAR '${1:-}'"
echo "crash-check: passed ($(ls -t deploy/target/crash-check/*.log | head -2 | tr '\n' ' ')have the service's logs)"
