#!/usr/bin/env bash
# `npm run bench:peers`: installs bench/peers' own pinned dependencies (never part of `npm test`),
# builds the hub (so `triggerhub up` runs the compiled CLI, as `npm start` does) and runs the bench.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# Install when missing or not from this lockfile (its hash is kept beside the packages; npm ci
# starts from scratch each time).
lock_hash="$(sha256sum bench/peers/package-lock.json | cut -d' ' -f1)"
if [[ ! -f bench/peers/node_modules/.package-lock.json || "$(cat bench/peers/node_modules/.triggerhub-lock 2>/dev/null)" != "$lock_hash" ]]; then
  npm ci --prefix bench/peers --ignore-scripts --no-audit --no-fund
  echo "$lock_hash" > bench/peers/node_modules/.triggerhub-lock
fi
npx tsc -p tsconfig.json
npx tsc -p bench/peers/tsconfig.json
exec node --import tsx bench/peers/run.ts
