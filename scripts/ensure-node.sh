#!/usr/bin/env bash
# Prints the bin directory of a Node.js >= 22 (googleapis 188 and google-auth-library 11 need it):
# the machine's own when it is new enough, otherwise the official Node.js binary as published on
# the npm registry (package node-<os>-<arch>, pinned below; npm checks its integrity), unpacked
# into .tools/node (git-ignored). Used by .ci/run; a developer does the same with
#   export PATH="$(bash scripts/ensure-node.sh):$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=22.23.3
MIN_MAJOR=22
DIR=.tools/node

if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -ge "$MIN_MAJOR" ]; then
    dirname "$(command -v node)"
    exit 0
  fi
fi

if [ -x "$DIR/bin/node" ] && [ "$("$DIR/bin/node" --version)" = "v$NODE_VERSION" ]; then
  echo "$PWD/$DIR/bin"
  exit 0
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "ensure-node: no Node.js $MIN_MAJOR package for $(uname -s); install Node.js >= $MIN_MAJOR yourself" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "ensure-node: no Node.js $MIN_MAJOR package for $(uname -m); install Node.js >= $MIN_MAJOR yourself" >&2; exit 1 ;;
esac

echo "ensure-node: installing node-$os-$arch@$NODE_VERSION from the npm registry into $DIR ..." >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "node-$os-$arch@$NODE_VERSION" --silent >/dev/null)
tar -xzf "$tmp"/node-*.tgz -C "$tmp"
rm -rf "$DIR"
mkdir -p "$(dirname "$DIR")"
mv "$tmp/package" "$DIR"
"$DIR/bin/node" --version >&2
echo "$PWD/$DIR/bin"
