#!/bin/sh
# Usage: sh setup.sh [DIR-WITH-wamr-AND-wamrc]   (default: the PATH ones)
# Builds the fixture in a fresh temporary directory T:
#   T/sandbox/                 the preopen (/sandbox, fd 3)
#   T/sandbox/out-file -> ../canary.txt
#   T/canary.txt               outside the preopen, content "canary"
# AOT-compiles program.wasm into T (wamr is AOT-only), runs it with
# `wamr run --map-dir T/sandbox::/sandbox`, then prints T/canary.txt.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:+$1/}
t=$(mktemp -d)
mkdir "$t/sandbox"
echo canary > "$t/canary.txt"
ln -s ../canary.txt "$t/sandbox/out-file"
"${bin}wamrc" compile "$here/program.wasm" -o "$t/program.cwasm" >/dev/null 2>&1
"${bin}wamr" run --map-dir "$t/sandbox::/sandbox" "$t/program.cwasm"
echo "exit=$?"
echo "canary.txt (outside the preopen) now holds: $(cat "$t/canary.txt")"
