#!/usr/bin/env bash
# `npm test`: installs what is missing, type-checks, runs every test (each suite starts its own
# redis-server on a free port) and prints the summary line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
npx tsc -p tsconfig.json --noEmit
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest-results.json "$@" || status=$?
node scripts/summary.mjs .vitest-results.json || true
exit $status
