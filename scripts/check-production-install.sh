#!/usr/bin/env bash
# Checks that production dependencies are enough: copies the build (dist/, after `npm run build`)
# and the manifests into a temporary folder, installs with `npm ci --omit=dev` (no tsx, no
# emulator libraries, no test tools), then runs what production runs:
#   - the compiled worker in production mode with nothing configured must refuse (exit 2), and
#   - the compiled worker with the prebuilt bundle must start and poll a Temporal dev server,
#   - the compiled CLI must answer --help.
# Needs the Temporal CLI (TEMPORAL_CLI_PATH, .tools/venv/bin/temporal, or `temporal` on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

[ -f dist/worker/main.js ] && [ -f dist/workflow-bundle.js ] || { echo "check-production-install: run \`npm run build\` first" >&2; exit 2; }
temporal=${TEMPORAL_CLI_PATH:-}
[ -n "$temporal" ] || { [ -x .tools/venv/bin/temporal ] && temporal=$root/.tools/venv/bin/temporal; } || temporal=$(command -v temporal || true)
[ -n "$temporal" ] || { echo "check-production-install: no Temporal CLI (npm run provision)" >&2; exit 2; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

cp -r dist package.json package-lock.json "$tmp/"
(cd "$tmp" && npm ci --omit=dev --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)
for dev in tsx smtp-server postal-mime jest typescript; do
  if [ -e "$tmp/node_modules/$dev" ]; then echo "check-production-install: dev-only $dev installed with --omit=dev" >&2; exit 1; fi
done
echo "check-production-install: npm ci --omit=dev: $(du -sh "$tmp/node_modules" | cut -f1) of node_modules"

set +e
(cd "$tmp" && env -i PATH="$PATH" HOME="$tmp" ONBOARDING_MODE=production node dist/worker/main.js >"$tmp/refusal.log" 2>&1)
code=$?
set -e
if [ "$code" -ne 2 ] || ! grep -q GOOGLE_SERVICE_ACCOUNT_KEY_FILE "$tmp/refusal.log"; then
  echo "check-production-install: production worker without settings should exit 2 naming them; got $code:" >&2
  cat "$tmp/refusal.log" >&2
  exit 1
fi
echo "check-production-install: production mode without settings refused (exit 2)"

(cd "$tmp" && node dist/client/cli.js --help >/dev/null)
echo "check-production-install: compiled CLI answers --help"

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
"$temporal" server start-dev --headless --ip 127.0.0.1 --port "$port" --log-level error >/dev/null 2>&1 &
pids+=($!)
key="ci:$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))')"
(cd "$tmp" && exec env -i PATH="$PATH" HOME="$tmp" ONBOARDING_MODE=local TEMPORAL_ADDRESS="127.0.0.1:$port" \
  ONBOARDING_ENCRYPTION_KEYS="$key" node dist/worker/main.js >"$tmp/worker.log" 2>&1) &
pids+=($!)
for _ in $(seq 1 120); do
  if grep -q '"msg":"worker started"' "$tmp/worker.log"; then
    echo "check-production-install: compiled worker started: $(grep -o '"workflowBundle":"[^"]*"' "$tmp/worker.log"), $(grep -o '"startupMs":[0-9]*' "$tmp/worker.log")"
    exit 0
  fi
  sleep 0.5
done
echo "check-production-install: the compiled worker did not start:" >&2
cat "$tmp/worker.log" >&2
exit 1
