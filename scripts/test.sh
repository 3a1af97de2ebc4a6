#!/bin/sh
# Runs the test suite (after a build); arguments pick test files or folders.
# Tests that boot QEMU run one at a time: two TCG guests on two cores only slow each other down.
set -e
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
make -s -C suites
if [ $# -gt 0 ]; then exec npx tap --reporter=tap "$@"; fi
exec npx tap --reporter=tap --jobs=1 dist/harness/test
