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

# Installed when node_modules was not installed from this very lockfile: its hash is kept beside the
# packages (file times would say "out of date" after every fresh checkout of the same lockfile).
lock_hash="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f node_modules/.package-lock.json ] || [ "$(cat node_modules/.triggerhub-lock 2>/dev/null)" != "$lock_hash" ]; then
  echo "triggerhub: installing npm packages" >&2
  # `npm ci`: exactly the lockfile (it lists every platform's optional packages), never rewriting it.
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.triggerhub-lock
fi
