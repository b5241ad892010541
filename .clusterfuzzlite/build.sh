#!/bin/bash -eu
# Builds the libFuzzer targets of fuzz/ into $OUT (ClusterFuzzLite, OSS-Fuzz
# layout), with the sanitizer the runner asks for. diff_p1 runs guests: the
# interpreter module, the fixtures and the triage file go beside it in
# $OUT/wasi-conform/, where the target looks first (the runner has only $OUT).
cd "$SRC/wasi-conform"
rustup target add wasm32-wasip1
cargo fuzz build -O --fuzz-dir fuzz
built=fuzz/target/x86_64-unknown-linux-gnu/release
cp "$built/diff_p1" "$built/reference_abi" "$built/reference_p2_abi" "$OUT/"
# One run in the checkout builds the interpreter (target/guests/).
"$OUT/diff_p1" -runs=1
bundle="$OUT/wasi-conform"
mkdir -p "$bundle/expected" "$bundle/tests-src"
cp target/guests/wasm32-wasip1/release/interp.wasm "$bundle/"
cp expected/fuzz-triage.toml "$bundle/expected/"
cp -r tests-src/fixtures "$bundle/tests-src/"
