#!/bin/sh
# Runs one WASI preview1 module on the `wamr` of PyPI wamr-bin (cataggar/wamr,
# a third-party port of WAMR to Zig; AOT only): compiled once with its
# `wamrc` into CACHE/<sha256 of the wasm>.cwasm, then `wamr run`.
# Usage: wamr-zig-run.sh WAMR CACHE WASM [wamr run options...] -- ARGS...
# WAMR is the `wamr` binary; `wamrc` is beside it. Exit status: wamr's, but
# 134 after a trap (wamr exits 1 and ends stderr with "Error: AOT execution
# failed: error.WasmTrap", like any other exit 1); 2 when the AOT compile fails
# (its output then goes to stderr).
set -eu
wamr=$1 cache=$2 wasm=$3
shift 3
key=$(sha256sum "$wasm" | cut -d' ' -f1)
aot=$cache/$key.cwasm
if [ ! -f "$aot" ]; then
  mkdir -p "$cache"
  tmp=$cache/$key.tmp.$$
  # Written aside and renamed: parallel runs never see half an AOT file.
  if ! "$(dirname "$wamr")/wamrc" compile "$wasm" -o "$tmp" >"$tmp.log" 2>&1; then
    echo "wamr-zig-run.sh: wamrc compile failed:" >&2
    cat "$tmp.log" >&2
    rm -f "$tmp" "$tmp.log"
    exit 2
  fi
  mv -f "$tmp" "$aot"
  rm -f "$tmp.log"
fi
# `wamr run OPTIONS... FILE ARGS...`: the first `--` becomes the AOT file.
n=$# file=
while [ "$n" -gt 0 ]; do
  arg=$1
  shift
  n=$((n - 1))
  if [ "$arg" = "--" ] && [ -z "$file" ]; then
    file=$aot
    set -- "$@" "$aot"
  else
    set -- "$@" "$arg"
  fi
done
err=$(mktemp)
trap 'rm -f "$err"' EXIT
set +e
"$wamr" run "$@" 2>"$err"
code=$?
set -e
cat "$err" >&2
if [ "$code" -ne 0 ] && tail -n 1 "$err" | grep -q '^Error: AOT execution failed: error\.WasmTrap$'; then
  exit 134
fi
exit "$code"
