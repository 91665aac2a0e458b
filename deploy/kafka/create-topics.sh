#!/usr/bin/env bash
# Creates the topics of the schakel topic plan (docs/topics.md) with their configs, using the
# tools of the Apache Kafka distribution (kafka-topics.sh, kafka-configs.sh).
#
# Safe to re-run: missing topics are created; for existing topics the plan's configs are
# (re)applied and a partition count that differs from the plan is reported as a warning, never
# changed (adding partitions breaks per-referral ordering, see docs/topics.md).
#
# Usage:
#   KAFKA_HOME=/path/to/kafka_2.13-4.1.1 deploy/kafka/create-topics.sh \
#       --bootstrap-server kafka-1.example.internal:9092 --command-config admin.properties
#
# Options (or the environment variable in brackets):
#   --bootstrap-server HOST:PORT   [BOOTSTRAP_SERVERS]    default localhost:9092
#   --command-config FILE          [COMMAND_CONFIG]       client properties (SASL_SSL, admin user)
#   --replication-factor N         [REPLICATION_FACTOR]   default 3 (production)
#   --min-insync-replicas N        [MIN_INSYNC_REPLICAS]  default 2 (production)
#   --dry-run                      print the commands only
# The tools are taken from $KAFKA_HOME/bin, else from PATH.
#
# For a single development broker: --replication-factor 1 --min-insync-replicas 1.

set -euo pipefail

BOOTSTRAP_SERVERS="${BOOTSTRAP_SERVERS:-localhost:9092}"
COMMAND_CONFIG="${COMMAND_CONFIG:-}"
REPLICATION_FACTOR="${REPLICATION_FACTOR:-3}"
MIN_INSYNC_REPLICAS="${MIN_INSYNC_REPLICAS:-2}"
DRY_RUN=0

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --bootstrap-server) BOOTSTRAP_SERVERS="$2"; shift 2 ;;
    --command-config) COMMAND_CONFIG="$2"; shift 2 ;;
    --replication-factor) REPLICATION_FACTOR="$2"; shift 2 ;;
    --min-insync-replicas) MIN_INSYNC_REPLICAS="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

if ! [[ "$REPLICATION_FACTOR" =~ ^[1-9][0-9]*$ && "$MIN_INSYNC_REPLICAS" =~ ^[1-9][0-9]*$ ]]; then
  echo "replication factor and min.insync.replicas must be positive integers" >&2
  exit 2
fi
if (( MIN_INSYNC_REPLICAS > REPLICATION_FACTOR )); then
  echo "min.insync.replicas ($MIN_INSYNC_REPLICAS) exceeds the replication factor" \
       "($REPLICATION_FACTOR): producers with acks=all could never write" >&2
  exit 2
fi

tool() {
  if [[ -n "${KAFKA_HOME:-}" ]]; then
    echo "$KAFKA_HOME/bin/$1"
  elif command -v "$1" > /dev/null; then
    command -v "$1"
  else
    echo "$1 not found: set KAFKA_HOME to the Kafka distribution or put its bin/ on PATH" >&2
    exit 2
  fi
}
KAFKA_TOPICS="$(tool kafka-topics.sh)"
KAFKA_CONFIGS="$(tool kafka-configs.sh)"

CLIENT_ARGS=(--bootstrap-server "$BOOTSTRAP_SERVERS")
if [[ -n "$COMMAND_CONFIG" ]]; then
  CLIENT_ARGS+=(--command-config "$COMMAND_CONFIG")
fi

run() {
  if (( DRY_RUN )); then
    printf '%q ' "$@"; echo
  else
    "$@"
  fi
}

# --- the topic plan (keep in step with services/schakel/contracts/topics.py) --------------
UNLIMITED_MS=-1
THIRTY_DAYS_MS=2592000000   # 30 * 24 * 3600 * 1000
NINETY_DAYS_MS=7776000000   # 90 * 24 * 3600 * 1000
SEVEN_DAYS_MS=604800000     # 7 * 24 * 3600 * 1000

# name partitions retention.ms
TOPICS=(
  "schakel.referral-events 6 $UNLIMITED_MS"
  "schakel.gp-feedback 3 $NINETY_DAYS_MS"
  "schakel.gp-referrals.inbound 3 $SEVEN_DAYS_MS"
  "schakel.dlq.intake 3 $THIRTY_DAYS_MS"
  "schakel.helper-events 3 $UNLIMITED_MS"
  "schakel.dlq.triage 3 $THIRTY_DAYS_MS"
  "schakel.dlq.matching 3 $THIRTY_DAYS_MS"
  "schakel.dlq.followup 3 $THIRTY_DAYS_MS"
  "schakel.dlq.feedback 3 $THIRTY_DAYS_MS"
  "schakel.dlq.audit 3 $THIRTY_DAYS_MS"
)

for entry in "${TOPICS[@]}"; do
  read -r name partitions retention <<< "$entry"
  configs="cleanup.policy=delete,retention.ms=$retention,min.insync.replicas=$MIN_INSYNC_REPLICAS"

  echo "== $name: $partitions partitions, replication $REPLICATION_FACTOR, $configs"
  create=("$KAFKA_TOPICS" "${CLIENT_ARGS[@]}" --create --if-not-exists --topic "$name"
          --partitions "$partitions" --replication-factor "$REPLICATION_FACTOR")
  IFS=',' read -r -a pairs <<< "$configs"
  for pair in "${pairs[@]}"; do
    create+=(--config "$pair")
  done
  run "${create[@]}"

  # Existing topics keep their partitions; make their configs match the plan.
  run "$KAFKA_CONFIGS" "${CLIENT_ARGS[@]}" --alter --entity-type topics --entity-name "$name" \
      --add-config "$configs"

  if (( ! DRY_RUN )); then
    description="$("$KAFKA_TOPICS" "${CLIENT_ARGS[@]}" --describe --topic "$name")"
    actual="$(sed -n 's/.*PartitionCount: *\([0-9][0-9]*\).*/\1/p' <<< "$description" | head -n 1)"
    if [[ "$actual" != "$partitions" ]]; then
      echo "WARNING: $name has ${actual:-unknown} partitions, the plan says $partitions;" \
           "not changed (see docs/topics.md before adding partitions)" >&2
      status=1
    fi
  fi
done
