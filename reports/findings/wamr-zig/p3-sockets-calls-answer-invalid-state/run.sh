#!/bin/sh
# Usage: sh run.sh [DIR-WITH-wamr-AND-wamrc] [SCENARIO]   (default: the PATH ones; bind-address)
# Copies udp.wasm (the suite's WASI 0.3 UDP guest component) into a fresh
# temporary directory T as guest.wasm, AOT-compiles it there with
# `wamrc compile-component guest.wasm` (this wamr is AOT-only; it writes
# guest.cwasm.json and the cores' .cwasm beside it), and runs
# `wamr run --allow-net 127.0.0.0/8 T/guest.wasm SCENARIO`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:+$(cd "$1" && pwd)/}
scenario=${2:-bind-address}
t=$(mktemp -d)
cp "$here/udp.wasm" "$t/guest.wasm"
(cd "$t" && "${bin}wamrc" compile-component guest.wasm >/dev/null 2>&1)
exec "${bin}wamr" run --allow-net 127.0.0.0/8 "$t/guest.wasm" "$scenario"
