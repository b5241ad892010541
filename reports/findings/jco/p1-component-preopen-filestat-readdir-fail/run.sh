#!/bin/sh
# Usage: sh run.sh [JCO_NODE_MODULES]
#   JCO_NODE_MODULES: node_modules of an install of @bytecodealliance/jco@1.35.0
#   and @bytecodealliance/preview2-shim@0.26.1 (default: this checkout's,
#   which `wasi-conform setup jco` makes).
# Runs program.component.wasm (program.wasm wrapped with wasmtime 48.0.8's
# preview1 command adapter, see README.md) on jco through run.mjs (jco's
# transpile API, then the component's wasi:cli/run on preview2-shim, on the
# system's Node.js) with a fresh temporary directory as the preopen /sandbox.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
modules=${1:-$repo/target/runtimes/jco/node_modules}
t=$(mktemp -d)
cd "$t" && exec node --no-warnings "$here/run.mjs" "$modules" "$here/program.component.wasm" "$t"
