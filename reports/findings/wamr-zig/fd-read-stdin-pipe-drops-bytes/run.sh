#!/bin/sh
# Usage: sh run.sh [DIR-WITH-wamr-AND-wamrc] [N]   (default: the PATH ones; N=10000)
# AOT-compiles program.wasm (this wamr is AOT-only) into a temporary
# directory and runs it with `wamr run`, N bytes ("a" repeated) on stdin
# through a pipe. The program reads stdin to its end, 4096 bytes at a time,
# and prints how many bytes it got.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:+$1/}
n=${2:-10000}
t=$(mktemp -d)
"${bin}wamrc" compile "$here/program.wasm" -o "$t/program.cwasm" >/dev/null 2>&1
head -c "$n" /dev/zero | tr '\0' a | "${bin}wamr" run "$t/program.cwasm"
