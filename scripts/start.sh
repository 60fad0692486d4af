#!/usr/bin/env bash
# `npm start`: installs what is missing, builds (hub and web console), and starts the hub with the example functions.
# Without `redis:` in the config the hub starts its own redis-server (data in .triggerhub/).
# With the default config it also runs a local S3 for the thumbnail example (scripts/local-s3.ts,
# 127.0.0.1:9100); TRIGGERHUB_LOCAL_S3=0 leaves it out.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Ctrl-C (or SIGTERM) while installing or building ends here, once the step it interrupted has
# stopped: nothing is started after it, whatever that step's exit status.
trap 'exit 130' INT
trap 'exit 143' TERM
bash scripts/ensure-deps.sh
npm run build --silent

pids=()
stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
}
# Ctrl-C in a terminal sends SIGINT to the whole process group: the hub has it already and drains
# its in-flight work; sending it another signal here would be its "second Ctrl-C" (stop at once).
# A SIGTERM sent to this script alone (a process manager) is passed on.
trap ':' INT
trap stop TERM

if [[ -z "${TRIGGERHUB_CONFIG:-}" && "${TRIGGERHUB_LOCAL_S3:-1}" != 0 ]]; then
  node --import tsx scripts/local-s3.ts &
  pids+=($!)
fi
node bin/triggerhub.js --config "${TRIGGERHUB_CONFIG:-triggerhub.yaml}" up &
hub=$!
pids+=("$hub")
status=0
wait "$hub" || status=$?
# A signal interrupts the first wait; wait again for the hub's drain to finish.
if kill -0 "$hub" 2>/dev/null; then wait "$hub" || status=$?; fi
stop
wait || true
exit "$status"
