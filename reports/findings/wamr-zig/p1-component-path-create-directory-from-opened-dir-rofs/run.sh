#!/bin/sh
# Usage: sh run.sh [DIR-WITH-wamr-AND-wamrc]   (default: the PATH ones)
# program.component.wasm is program.wasm wrapped with the WASI preview1
# command adapter of wasmtime 48.0.8 (crate
# wasi-preview1-component-adapter-provider 48.0.8,
# artefacts/wasi_snapshot_preview1.command.wasm):
#   wasm-tools component new program.wasm \
#     --adapt wasi_snapshot_preview1=wasi_snapshot_preview1.command.wasm \
#     -o program.component.wasm
# Copies it as guest.wasm into a fresh temporary directory T, AOT-compiles
# it there with `wamrc compile-component guest.wasm` (this wamr is AOT-only),
# and runs `wamr run --map-dir T/sandbox::/sandbox T/guest.wasm` (T/sandbox
# empty).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:+$(cd "$1" && pwd)/}
t=$(mktemp -d)
cp "$here/program.component.wasm" "$t/guest.wasm"
mkdir "$t/sandbox"
(cd "$t" && "${bin}wamrc" compile-component guest.wasm >/dev/null 2>&1)
exec "${bin}wamr" run --map-dir "$t/sandbox::/sandbox" "$t/guest.wasm"
