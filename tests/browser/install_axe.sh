#!/usr/bin/env bash
# Install axe-core (npm) for the accessibility checks of tests/browser, outside the
# repository: ${BRANCHWISE_AXE_DIR:-$HOME/.cache/branchwise/axe}/node_modules/axe-core/axe.min.js.
# The browser fixture runs the same install itself when the file is missing; CI can
# call this script first to fail early when npm is unavailable.
set -euo pipefail
dir="${BRANCHWISE_AXE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/branchwise/axe}"
mkdir -p "$dir"
npm install --no-save --no-audit --no-fund --prefix "$dir" axe-core@4 >/dev/null
echo "$dir/node_modules/axe-core/axe.min.js"
