#!/bin/sh
# Usage: sh setup.sh [DIR-WITH-wamr-AND-wamrc]   (default: the PATH ones)
# Runs program.wasm with a fresh temporary directory as its preopen
# (/sandbox, fd 3), then says whether /x exists on the host, and removes
# the /x this run made. Run it where a new /x does no harm (a container).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:+$1/}
if [ -e /x ]; then echo "/x exists already: remove it first"; exit 2; fi
t=$(mktemp -d)
mkdir "$t/sandbox"
"${bin}wamrc" compile "$here/program.wasm" -o "$t/program.cwasm" >/dev/null 2>&1
"${bin}wamr" run --map-dir "$t/sandbox::/sandbox" "$t/program.cwasm"
echo "exit=$?"
if [ -d /x ]; then echo "/x now exists on the host"; rmdir /x; else echo "no /x on the host"; fi
echo "the preopen holds: $(ls -A "$t/sandbox" | tr '\n' ' ')"
