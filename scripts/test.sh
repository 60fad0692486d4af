#!/usr/bin/env bash
# `npm test`: installs what is missing, type-checks, runs every test (each suite starts its own
# redis-server on a free port) and prints the summary line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
# The AWS CLI v2 (Debian's awscli) for the CLI compatibility tests.
if [ ! -x /usr/bin/aws ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  install_awscli() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq awscli >/dev/null 2>&1; }
  install_awscli || { $SUDO apt-get update -qq && install_awscli; } || echo "triggerhub: awscli not installed; its tests will be skipped" >&2
fi
# Debian's chromium for the web console's browser tests (playwright-core drives it).
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  install_chromium() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null 2>&1; }
  install_chromium || { $SUDO apt-get update -qq && install_chromium; } || echo "triggerhub: chromium not installed; the console's browser tests will be skipped" >&2
fi
# Java (Debian's default-jre-headless) runs DynamoDB Local, the DynamoDB Streams tests' peer.
if ! command -v java >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  install_java() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jre-headless >/dev/null 2>&1; }
  install_java || { $SUDO apt-get update -qq && install_java; } || echo "triggerhub: java not installed; the DynamoDB Streams tests will be skipped" >&2
fi
# src, tests and scripts (tests run transpiled-only under vitest; this checks their types), and the console UI.
npx tsc -p tsconfig.test.json
npx tsc -p console/tsconfig.json
# The AWS SDK warns once per process that its releases after January 2027 need Node 22; the pinned
# versions here run on Node 20, and a hundred spawned processes repeating it bury the test output.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest-results.json "$@" || status=$?
node scripts/summary.mjs .vitest-results.json || true
exit $status
