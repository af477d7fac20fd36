#!/bin/sh
# Waits for the cluster to be healthy, creates the namespace if missing, and registers the
# project's Keyword search attributes. Run by the one-shot `temporal-register` service
# (temporalio/admin-tools) of docker-compose.temporal.yml, and natively by
# scripts/self-hosted-temporal.sh (TEMPORAL_CLI names the CLI binary there).
# Idempotent: an attribute that already exists with type Keyword counts as success.
set -eu

CLI="${TEMPORAL_CLI:-temporal}"
temporal() { command "$CLI" "$@"; }
# Each Temporal service caches the search attributes for up to 60 s (no forced refresh in
# production): after registering a new one, wait that long so the first worker's upsert is known.
CACHE_WAIT_SECONDS="${SEARCH_ATTRIBUTE_CACHE_WAIT_SECONDS:-65}"

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-720h}"
ATTRIBUTES="${KEYWORD_SEARCH_ATTRIBUTES:-CustomerDomain OnboardingStage}"

# Like the official compose files: dial the IPv4 address (some resolvers hand the CLI an
# address the server does not listen on).
HOST="${ADDRESS%:*}"
PORT="${ADDRESS##*:}"
IP="$(getent ahosts "$HOST" 2>/dev/null | awk '/STREAM/ && $1 !~ /:/ { print $1; exit }')" || true
[ -n "$IP" ] && ADDRESS="$IP:$PORT"
echo "Temporal frontend: $ADDRESS (namespace $NAMESPACE)"

tries=0
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "Temporal at $ADDRESS did not become healthy" >&2
    temporal operator cluster health --address "$ADDRESS" || true
    exit 1
  fi
  sleep 2
done
echo "Cluster is healthy"

if temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1; then
  echo "Namespace $NAMESPACE exists"
else
  echo "Creating namespace $NAMESPACE (retention $RETENTION)"
  if ! out="$(temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" \
    --address "$ADDRESS" 2>&1)"; then
    case "$out" in
      *"already exists"* | *"already registered"*) echo "Namespace $NAMESPACE already exists" ;;
      *) echo "$out" >&2; exit 1 ;;
    esac
  fi
  # A new namespace takes a moment to reach every service's cache.
  tries=0
  until temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -ge 30 ] && { echo "Namespace $NAMESPACE not visible after creation" >&2; exit 1; }
    sleep 2
  done
fi

registered_new=0
for name in $ATTRIBUTES; do
  # Right after the namespace is created, the search-attribute API may not see it yet
  # ("Namespace default is not found"): retry that answer for a while, fail on any other.
  tries=0
  until out="$(temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" \
    --type Keyword --address "$ADDRESS" 2>&1)"; do
    case "$out" in
      *"already exists"* | *"already exist"*) break ;;
      *"not found"* | *"NotFound"*)
        tries=$((tries + 1))
        [ "$tries" -ge 30 ] && { echo "Search attribute $name: $out" >&2; exit 1; }
        sleep 2
        ;;
      *) echo "Search attribute $name: $out" >&2; exit 1 ;;
    esac
  done
  case "$out" in
    *"already exist"*) echo "Search attribute $name: already exists" ;;
    *) echo "Search attribute $name (Keyword): registered"; registered_new=1 ;;
  esac
done

# "Already exists" says nothing about the type: check that each one really is a Keyword.
list="$(temporal operator search-attribute list --namespace "$NAMESPACE" --address "$ADDRESS" 2>&1)" || {
  echo "$list" >&2
  exit 1
}
for name in $ATTRIBUTES; do
  line="$(printf '%s\n' "$list" | grep -E "(^|[^A-Za-z0-9_])$name([^A-Za-z0-9_]|\$)" || true)"
  if [ -z "$line" ]; then
    echo "Search attribute $name is not listed in namespace $NAMESPACE:" >&2
    printf '%s\n' "$list" >&2
    exit 1
  fi
  if ! printf '%s\n' "$line" | grep -qi keyword; then
    echo "Search attribute $name exists with another type than Keyword: $line" >&2
    exit 1
  fi
done
if [ "$registered_new" -eq 1 ] && [ "$CACHE_WAIT_SECONDS" -gt 0 ]; then
  echo "Waiting ${CACHE_WAIT_SECONDS}s for every Temporal service to refresh its search-attribute cache"
  sleep "$CACHE_WAIT_SECONDS"
fi
echo "Search attributes ready in namespace $NAMESPACE: $ATTRIBUTES"
