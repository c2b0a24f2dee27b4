#!/usr/bin/env bash
# The test command (`npm test`): builds, then runs every suite with vitest.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx vitest run "$@"
