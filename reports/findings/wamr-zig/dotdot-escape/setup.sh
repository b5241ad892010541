#!/bin/sh
# Usage: sh setup.sh [DIR-WITH-wamr-AND-wamrc]   (default: the PATH ones)
# Builds the fixture in a fresh temporary directory T:
#   T/sandbox/     the preopen (/sandbox, fd 3)
#   T/canary.txt   outside the preopen
# AOT-compiles program.wasm into T (wamr is AOT-only), runs it with
# `wamr run --map-dir T/sandbox::/sandbox`, then checks T/canary.txt.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:+$1/}
t=$(mktemp -d)
mkdir "$t/sandbox"
echo canary > "$t/canary.txt"
"${bin}wamrc" compile "$here/program.wasm" -o "$t/program.cwasm" >/dev/null 2>&1
"${bin}wamr" run --map-dir "$t/sandbox::/sandbox" "$t/program.cwasm"
echo "exit=$?"
if [ -e "$t/canary.txt" ]; then echo "canary.txt (outside the preopen): still there"; else echo "canary.txt (outside the preopen): DELETED"; fi
