#!/bin/sh
# Node writes through an absolute symlink on the host (the [ESC] evidence of
# triage-node-wasmi-wasmtime.md). Run from anywhere after `wasi-conform run`
# has built the interpreter guest.
# usage: run-node.sh PROGRAM_TEXT  (fixture with abs -> $EXP/outside/a instead of /a)
ROOT=$(cd "$(dirname "$0")/../../../.." && pwd)
EXP=$(mktemp -d)
SB=$EXP/sandbox; mkdir -p $SB/d $EXP/outside/a/d $EXP/outside/a/n
printf 'canary\n' > $EXP/canary.txt
printf 'hello\n' > $SB/a; : > $SB/b; printf 'nested\n' > $SB/d/e
ln -s a $SB/l; ln -s d $SB/ld; ln -s loop $SB/loop; ln -s missing $SB/dang; ln -s ../canary.txt $SB/esc; ln -s $EXP/outside/a $SB/abs
printf '%s\n' "$1" | node --no-warnings $ROOT/harness/runtimes/node-wasi.mjs --dir /sandbox=$SB $ROOT/target/guests/wasm32-wasip1/release/interp.wasm --
echo "exit=$?"; (cd $EXP && find . | sort | sed 's/^/  /')
