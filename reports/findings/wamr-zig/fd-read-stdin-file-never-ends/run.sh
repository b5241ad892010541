#!/bin/sh
# Usage: sh run.sh [DIR-WITH-wamr-AND-wamrc]   (default: the PATH ones)
# AOT-compiles program.wasm (this wamr is AOT-only) into a temporary
# directory T and runs it with `wamr run`, stdin redirected from the regular
# file T/input.txt (10000 bytes, "a" repeated). The program reads stdin until
# the end (at most 5 reads that return data) and prints how many bytes it got.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:+$1/}
t=$(mktemp -d)
head -c 10000 /dev/zero | tr '\0' a > "$t/input.txt"
"${bin}wamrc" compile "$here/program.wasm" -o "$t/program.cwasm" >/dev/null 2>&1
exec "${bin}wamr" run "$t/program.cwasm" < "$t/input.txt"
