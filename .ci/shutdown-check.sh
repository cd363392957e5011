#!/usr/bin/env bash
# SIGTERM under load loses no acknowledged notification.
#
# Runs deploy's GracefulShutdownTest against this machine's RabbitMQ (127.0.0.1:5672, guest/guest)
# and PostgreSQL (user postgres on 127.0.0.1:5432, allowed to create a database): it starts the
# service's jar, publishes notifications continuously on a private exchange and topic, sends
# SIGTERM mid-stream, and checks that readiness went down before the exit, that the process exited
# within the grace period, and that every published notification is either stored (acknowledged)
# or still ready on the queue, never both, never neither. Its database, queues and exchanges are
# private to the run and removed afterwards. About 2-3 minutes.
#
# Needs: deploy/target/altimeter.jar and the modules installed in ~/.m2 (.ci/run's step 2 does both),
# or run from a worktree with:  mvn -B -q package -DskipTests && .ci/shutdown-check.sh --am
# Settings: ALTIMETER_SHUTDOWN_AMQP (amqp://guest:guest@127.0.0.1:5672),
#           ALTIMETER_SHUTDOWN_POSTGRES (postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/service-check.sh
service_check shutdown-check GracefulShutdownTest ALTIMETER_SHUTDOWN_JAR "${1:-}"
echo "shutdown-check: passed ($(ls -t deploy/target/shutdown-check/*.log | head -1) has the service's log)"
