#!/bin/sh
# Usage: sh setup.sh   (pywasm importable, e.g. pip install pywasm==2.2.3)
# Builds the fixture in a fresh temporary directory T:
#   T/sandbox/                 the preopen (/sandbox, fd 3)
#   T/sandbox/out-file -> ../canary.txt
#   T/canary.txt               outside the preopen, content "canary"
# runs program.wasm on pywasm, then prints T/canary.txt.
set -u
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
mkdir "$t/sandbox"
echo canary > "$t/canary.txt"
ln -s ../canary.txt "$t/sandbox/out-file"
python3 "$here/run.py" "$t/sandbox"
echo "exit=$?"
echo "canary.txt (outside the preopen) now holds: $(cat "$t/canary.txt")"
