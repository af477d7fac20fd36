#!/usr/bin/env bash
# Syntax check of docker-compose.temporal.yml (or the compose files given as arguments) without a
# Docker engine. Prefers `docker compose config --quiet` (the real Compose loader: YAML, schema,
# interpolation, anchors); without the Compose v2 plugin, falls back to a Python YAML parse plus
# basic structure checks (PyYAML; installed with pip if missing). Exits non-zero on any error.
set -euo pipefail

cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
  set -- docker-compose.temporal.yml
fi

status=0
for file in "$@"; do
  if [ ! -f "$file" ]; then
    echo "check-compose: $file: no such file" >&2
    status=1
    continue
  fi

  if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    if docker compose -f "$file" config --quiet; then
      echo "check-compose: $file: OK (docker compose config)"
    else
      echo "check-compose: $file: INVALID (docker compose config)" >&2
      status=1
    fi
    continue
  fi

  python=$(command -v python3 || command -v python || true)
  if [ -z "$python" ]; then
    echo "check-compose: neither 'docker compose' nor python3 is available to check $file" >&2
    exit 2
  fi
  if ! "$python" -c 'import yaml' >/dev/null 2>&1; then
    "$python" -m pip install --quiet pyyaml >/dev/null 2>&1 \
      || "$python" -m pip install --quiet --user pyyaml >/dev/null 2>&1 \
      || "$python" -m pip install --quiet --break-system-packages pyyaml >/dev/null 2>&1 \
      || { echo "check-compose: PyYAML is missing and could not be installed" >&2; exit 2; }
  fi

  if "$python" - "$file" <<'PY'; then
import os
import sys

import yaml

path = sys.argv[1]
try:
    with open(path, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle)
except yaml.YAMLError as err:
    sys.exit(f"{path}: YAML error: {err}")

errors = []
if not isinstance(doc, dict):
    sys.exit(f"{path}: top level is not a mapping")
services = doc.get("services")
if not isinstance(services, dict) or not services:
    errors.append("no 'services' mapping")
    services = {}
base = os.path.dirname(os.path.abspath(path))
for name, svc in services.items():
    if not isinstance(svc, dict):
        errors.append(f"service {name}: not a mapping")
        continue
    if not svc.get("image") and not svc.get("build"):
        errors.append(f"service {name}: neither image nor build")
    deps = svc.get("depends_on", {})
    for dep in deps if isinstance(deps, (list, dict)) else []:
        if dep not in services:
            errors.append(f"service {name}: depends_on unknown service {dep}")
    for volume in svc.get("volumes", []) or []:
        source = volume.split(":", 1)[0] if isinstance(volume, str) else (volume or {}).get("source", "")
        if source.startswith(("./", "../")) and not os.path.exists(os.path.join(base, source)):
            errors.append(f"service {name}: bind-mount source {source} does not exist")
        elif isinstance(volume, str) and ":" in volume and not source.startswith(("/", ".", "~", "$")):
            if source not in (doc.get("volumes") or {}):
                errors.append(f"service {name}: named volume {source} is not declared under 'volumes'")
if errors:
    sys.exit("\n".join(f"{path}: {e}" for e in errors))
PY
    echo "check-compose: $file: OK (YAML parse and structure only; install the Docker Compose v2 plugin for the full check)"
  else
    echo "check-compose: $file: INVALID" >&2
    status=1
  fi
done
exit "$status"
