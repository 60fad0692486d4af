#!/usr/bin/env bash
# `npm run bench:peers`: installs bench/peers' own pinned dependencies (never part of `npm test`),
# builds the hub (so `triggerhub up` runs the compiled CLI, as `npm start` does) and runs the bench.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# Install when missing or when the lockfile changed since (npm ci starts from scratch each time).
if [[ ! -f bench/peers/node_modules/.package-lock.json || bench/peers/package-lock.json -nt bench/peers/node_modules/.package-lock.json ]]; then
  npm ci --prefix bench/peers --ignore-scripts --no-audit --no-fund
fi
npx tsc -p tsconfig.json
npx tsc -p bench/peers/tsconfig.json
exec node --import tsx bench/peers/run.ts
