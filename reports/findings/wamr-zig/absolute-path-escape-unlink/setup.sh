#!/bin/sh
# Usage: sh setup.sh [DIR-WITH-wamr-AND-wamrc]   (default: the PATH ones)
# Puts a canary file /a.txt at the host's root (it refuses to run if /a.txt
# exists already), makes a fresh temporary directory T with T/sandbox/a.txt,
# AOT-compiles program.wasm (this wamr is AOT-only) and runs it with
# `wamr run --map-dir T/sandbox::/sandbox`. Then it says which a.txt is
# gone, and removes the canary if it is still there. Run it where a file
# /a.txt for a moment does no harm (a container).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:+$1/}
if [ -e /a.txt ]; then echo "/a.txt exists already: this script will not touch it"; exit 2; fi
t=$(mktemp -d)
mkdir "$t/sandbox"
echo "in the preopen" > "$t/sandbox/a.txt"
echo "host canary" > /a.txt
"${bin}wamrc" compile "$here/program.wasm" -o "$t/program.cwasm" >/dev/null 2>&1
"${bin}wamr" run --map-dir "$t/sandbox::/sandbox" "$t/program.cwasm"
echo "exit=$?"
if [ -e /a.txt ]; then echo "/a.txt on the host: still there"; rm -f /a.txt; else echo "/a.txt on the host: DELETED"; fi
if [ -e "$t/sandbox/a.txt" ]; then echo "a.txt in the preopen: still there"; else echo "a.txt in the preopen: deleted"; fi
