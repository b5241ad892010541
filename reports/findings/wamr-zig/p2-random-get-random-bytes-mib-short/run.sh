#!/bin/sh
# Usage: sh run.sh [DIR-WITH-wamr-AND-wamrc] [SCENARIO]   (default: the PATH ones; mib)
# Copies random.wasm (the suite's WASI 0.2 random guest component) into a fresh
# temporary directory T as guest.wasm and AOT-compiles it there with
# `wamrc compile-component guest.wasm` (this wamr is AOT-only; it writes
# guest.cwasm.json and the cores' .cwasm beside it). No preopen.
# Then runs `wamr run  T/guest.wasm SCENARIO`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
bin=${1:+$(cd "$1" && pwd)/}
scenario=${2:-mib}
wasm=$here/random.wasm
[ -f "$wasm" ] || wasm=$repo/target/guests/wasm32-wasip2/release/random.wasm
if [ ! -f "$wasm" ]; then echo "no random.wasm: build it in the checkout with: cargo run --release -- run --runtime wasmtime --abi p2 --case random/mib"; exit 2; fi
t=$(mktemp -d)
cp "$wasm" "$t/guest.wasm"
(cd "$t" && "${bin}wamrc" compile-component guest.wasm >/dev/null 2>&1)
exec "${bin}wamr" run "$t/guest.wasm" "$scenario"
