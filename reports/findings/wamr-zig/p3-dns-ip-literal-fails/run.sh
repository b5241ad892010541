#!/bin/sh
# Usage: sh run.sh [DIR-WITH-wamr-AND-wamrc] [SCENARIO]   (default: the PATH ones; ip-literal)
# Copies dns.wasm (the suite's WASI 0.3 DNS (ip-name-lookup) guest component) into a fresh
# temporary directory T as guest.wasm and AOT-compiles it there with
# `wamrc compile-component guest.wasm` (this wamr is AOT-only; it writes
# guest.cwasm.json and the cores' .cwasm beside it). No preopen.
# Then runs `wamr run --allow-net 127.0.0.0/8 --allow-net ::1/128 T/guest.wasm SCENARIO`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
bin=${1:+$(cd "$1" && pwd)/}
scenario=${2:-ip-literal}
wasm=$here/dns.wasm
[ -f "$wasm" ] || wasm=$repo/target/guests/p3/wasm32-wasip2/release/dns.wasm
if [ ! -f "$wasm" ]; then echo "no dns.wasm: build it in the checkout with: cargo run --release -- run --runtime wasmtime --abi p3 --case p3-dns/ip-literal"; exit 2; fi
t=$(mktemp -d)
cp "$wasm" "$t/guest.wasm"
(cd "$t" && "${bin}wamrc" compile-component guest.wasm >/dev/null 2>&1)
exec "${bin}wamr" run --allow-net 127.0.0.0/8 --allow-net ::1/128 "$t/guest.wasm" "$scenario"
