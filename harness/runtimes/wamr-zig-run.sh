#!/bin/sh
# Runs one WASI guest on the `wamr` of PyPI wamr-bin (cataggar/wamr, a
# third-party port of WAMR to Zig; AOT only): compiled once with its `wamrc`
# into CACHE, then `wamr run`. A core module (preview1) is compiled with
# `wamrc compile` into CACHE/<sha256 of the wasm>.cwasm; a component (WASI
# 0.2 or 0.3) with `wamrc compile-component` into CACHE/<sha256>/, which
# holds a copy of it as guest.wasm beside the manifest `wamr run` finds
# there (guest.cwasm.json) and its AOT cores.
# Usage: wamr-zig-run.sh WAMR CACHE WASM [wamr run options...] -- ARGS...
# WAMR is the `wamr` binary; `wamrc` is beside it. Exit status: wamr's, but
# 134 after a trap (wamr exits 1 and ends stderr with "Error: AOT execution
# failed: error.WasmTrap", like any other exit 1); 2 when the AOT compile fails
# (its output then goes to stderr).
set -eu
wamr=$1 cache=$2 wasm=$3
shift 3
key=$(sha256sum "$wasm" | cut -d' ' -f1)
wamrc=$(dirname "$wamr")/wamrc
# Bytes 6-7 of the preamble are the layer: 0 for a core module, 1 for a component.
if [ "$(od -An -tx1 -j6 -N1 "$wasm" | tr -d ' ')" = "01" ]; then
  run=$cache/$key/guest.wasm
else
  run=$cache/$key.cwasm
fi
if [ ! -f "$run" ]; then
  mkdir -p "$cache"
  tmp=$cache/$key.tmp.$$
  if [ "$run" = "$cache/$key.cwasm" ]; then
    compile() { "$wamrc" compile "$wasm" -o "$tmp"; }
  else
    mkdir -p "$tmp"
    cp "$wasm" "$tmp/guest.wasm"
    compile() { (cd "$tmp" && "$wamrc" compile-component guest.wasm); }
  fi
  if ! compile >"$tmp.log" 2>&1; then
    echo "wamr-zig-run.sh: wamrc failed:" >&2
    cat "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    exit 2
  fi
  rm -f "$tmp.log"
  # Made aside and renamed: parallel runs never see half an AOT file; if
  # another run got there first, its copy is kept.
  mv -fT "$tmp" "${run%/guest.wasm}" 2>/dev/null || rm -rf "$tmp"
fi
# `wamr run OPTIONS... FILE ARGS...`: the first `--` becomes the AOT file.
n=$# file=
while [ "$n" -gt 0 ]; do
  arg=$1
  shift
  n=$((n - 1))
  if [ "$arg" = "--" ] && [ -z "$file" ]; then
    file=$run
    set -- "$@" "$run"
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
