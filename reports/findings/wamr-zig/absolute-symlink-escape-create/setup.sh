#!/bin/sh
# Usage: sh setup.sh [DIR-WITH-wamr-AND-wamrc]   (default: the PATH ones)
# Builds the fixture in a fresh temporary directory T:
#   T/sandbox/                 the preopen (/sandbox, fd 3)
#   T/sandbox/abs -> T/outside/a   (an absolute target; T/outside/a does not exist)
#   T/outside/                 outside the preopen, empty
# AOT-compiles program.wasm into T (wamr is AOT-only), runs it with
# `wamr run --map-dir T/sandbox::/sandbox`, then lists T/outside.
# The absolute target is inside T, never a path at the host root.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:+$1/}
t=$(mktemp -d)
mkdir "$t/sandbox" "$t/outside"
ln -s "$t/outside/a" "$t/sandbox/abs"
"${bin}wamrc" compile "$here/program.wasm" -o "$t/program.cwasm" >/dev/null 2>&1
"${bin}wamr" run --map-dir "$t/sandbox::/sandbox" "$t/program.cwasm"
echo "exit=$?"
echo "sandbox/abs -> $(readlink "$t/sandbox/abs")"
echo "outside (not in the preopen) now holds: $(ls -A "$t/outside" | tr '\n' ' ')"
if [ -f "$t/outside/a" ]; then echo "outside/a holds: $(cat "$t/outside/a")"; fi
