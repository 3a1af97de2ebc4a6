#!/bin/sh
# Runs the test suite (after a build); arguments pick test files.
# One test file at a time: the ones that boot QEMU would only slow each other down on two cores.
set -e
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
make -s -C suites
exec npx tap --reporter=tap --jobs=1 "$@"
