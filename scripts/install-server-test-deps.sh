#!/usr/bin/env bash
# Installs the official OpenAI client (npm "openai", the version pinned in
# tests/server/node/package-lock.json) for the server tests, into tests/server/node/node_modules.
# Needs Node.js and npm (Debian: nodejs npm) and the npm registry. Without it the OpenAI
# client test skips.
set -euo pipefail
cd "$(dirname "$0")/../tests/server/node"
npm ci --no-audit --no-fund
