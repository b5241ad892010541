#!/bin/sh
# Usage: sh setup.sh
# Builds the fixture in a fresh temporary directory T:
#   T/sandbox/                 the preopen (/sandbox, fd 3)
#   T/sandbox/out-dir -> ../canary-dir
#   T/canary-dir/secret.txt    outside the preopen
# runs program.wasm on node:wasi, then lists T/canary-dir.
set -u
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
mkdir "$t/sandbox" "$t/canary-dir"
echo secret > "$t/canary-dir/secret.txt"
ln -s ../canary-dir "$t/sandbox/out-dir"
node --no-warnings "$here/run.mjs" "$t/sandbox"
echo "exit=$?"
echo "canary-dir (outside the preopen) now holds: $(ls -A "$t/canary-dir" | tr '\n' ' ')"
