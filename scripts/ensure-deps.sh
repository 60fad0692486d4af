#!/usr/bin/env bash
# Installs what the hub and its tests need on a fresh Debian machine with Node 20 and npm:
# redis-server from Debian's packages (when missing) and the npm packages (when out of date).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  echo "triggerhub: installing redis-server (Debian package)" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "triggerhub: installing npm packages" >&2
  # `npm ci`: exactly the lockfile (it lists every platform's optional packages), never rewriting it.
  npm ci --no-audit --no-fund --loglevel=error
fi
