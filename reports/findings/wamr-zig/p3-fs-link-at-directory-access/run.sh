#!/bin/sh
# Usage: sh run.sh [DIR-WITH-wamr-AND-wamrc] [SCENARIO]   (default: the PATH ones; link-errors)
# Copies fs.wasm (the suite's WASI 0.3 filesystem guest component) into a fresh
# temporary directory T as guest.wasm and AOT-compiles it there with
# `wamrc compile-component guest.wasm` (this wamr is AOT-only; it writes
# guest.cwasm.json and the cores' .cwasm beside it). It makes T/sandbox, empty, preopened as /sandbox.
# Then runs `wamr run --map-dir "$t/sandbox::/sandbox" T/guest.wasm SCENARIO`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
bin=${1:+$(cd "$1" && pwd)/}
scenario=${2:-link-errors}
wasm=$here/fs.wasm
[ -f "$wasm" ] || wasm=$repo/target/guests/p3/wasm32-wasip2/release/fs.wasm
if [ ! -f "$wasm" ]; then echo "no fs.wasm: build it in the checkout with: cargo run --release -- run --runtime wasmtime --abi p3 --case p3-fs/link-errors"; exit 2; fi
t=$(mktemp -d)
cp "$wasm" "$t/guest.wasm"
(cd "$t" && "${bin}wamrc" compile-component guest.wasm >/dev/null 2>&1)
mkdir "$t/sandbox"
exec "${bin}wamr" run --map-dir "$t/sandbox::/sandbox" "$t/guest.wasm" "$scenario"
