# Sourced (not run) by the checks that run the packaged service against this machine's RabbitMQ
# and PostgreSQL (.ci/shutdown-check.sh, .ci/crash-check.sh).
#
# service_check NAME TEST JAR_VARIABLE [--am]: checks that the jar and the services are there, then
# runs deploy's test class TEST with the jar's path in the environment variable JAR_VARIABLE (the
# test is skipped without it). --am builds the modules deploy needs first (from a worktree, without
# the modules installed in ~/.m2).
service_check() {
  local name=$1 test=$2 jar_variable=$3 scope
  local jar=${ALTIMETER_JAR:-deploy/target/altimeter.jar}
  [[ -f $jar ]] || { echo "$name: $jar missing: build it first (mvn -B package -DskipTests)" >&2; return 1; }
  pg_isready -h 127.0.0.1 -p 5432 -q || { echo "$name: no PostgreSQL on 127.0.0.1:5432" >&2; return 1; }
  (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null || { echo "$name: no RabbitMQ on 127.0.0.1:5672" >&2; return 1; }
  local mvn=./mvnw; [[ -x $mvn ]] || mvn=mvn
  if [[ ${4:-} == --am ]]; then scope=(-pl deploy -am); else scope=(-o -pl deploy); fi
  env "$jar_variable=$PWD/$jar" "$mvn" -B -q test "${scope[@]}" -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false
}
