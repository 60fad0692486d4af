#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, and starts the hub with the example functions.
# Without `redis:` in the config the hub starts its own redis-server (data in .triggerhub/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
npx tsc -p tsconfig.json
exec node bin/triggerhub.js --config "${TRIGGERHUB_CONFIG:-triggerhub.yaml}" up
