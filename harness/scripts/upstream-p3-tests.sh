#!/usr/bin/env bash
# upstream-p3-tests.sh UPSTREAM_CHECKOUT OUT_DIR
#
# Builds the WASI 0.3 tests of a wasi-testsuite checkout (main branch:
# tests/rust/wasm32-wasip3, which upstream publishes as sources only; its
# prebuilt prod/testsuite-all branch still targets 0.3.0-rc-2026-03-15) with
# cargo instead of upstream's buck2, and lays them out as upstream's runner
# reads a suite: OUT_DIR/wasm32-wasip3/X.wasm with X.json and fs-tests.dir
# beside them. Then:
#
#   wasi-conform testsuite OUT_DIR/wasm32-wasip3 --runtime wasmtime,wasmtime-cli
#
# wit-bindgen and futures come from crates.io at the versions the checkout's
# third-party/rust/Cargo.toml names; the wasm32-wasip2 target is added when
# missing. The build happens in a temporary directory (its cargo target dir
# is OUT_DIR/.target, kept for the next build); nothing of the checkout is
# changed. Verified against main at e1f53e05d1289534a556d33dec96f8a610aeccbb.
# Exit status: 0 when built, 2 on bad setup or a failed build.
set -euo pipefail
. "$(dirname "$0")/upstream-common.sh"

[ $# -eq 2 ] || die "usage: $0 UPSTREAM_CHECKOUT OUT_DIR"
[ -d "$1" ] || die "no upstream checkout at '$1'"
UP=$(cd "$1" && pwd)
SRC=$UP/tests/rust/wasm32-wasip3
DEPS=$UP/third-party/rust/Cargo.toml
[ -d "$SRC/src/bin" ] && [ -d "$SRC/wit" ] ||
  die "'$UP' has no WASI 0.3 test sources (tests/rust/wasm32-wasip3/src/bin and wit/): check out its main branch"
[ -f "$DEPS" ] || die "'$DEPS' is missing: check out upstream's main branch"
dep() { grep -E "^$1 = " "$DEPS" || die "$DEPS names no $1"; }
WIT_BINDGEN=$(dep wit-bindgen)
FUTURES=$(dep futures)
mkdir -p "$2/wasm32-wasip3"
OUT=$(cd "$2" && pwd)

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2; then
  echo "upstream-p3-tests: adding the wasm32-wasip2 target (rustup target add wasm32-wasip2)" >&2
  rustup target add wasm32-wasip2 >&2 || die "cannot add the wasm32-wasip2 target"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/upstream-p3.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cp -r "$SRC/src" "$SRC/wit" "$TMP/"
# The library is test_wasm32_wasip3 (src/lib.rs); each src/bin/X.rs a test.
cat >"$TMP/Cargo.toml" <<TOML
[package]
name = "test_wasm32_wasip3"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
$FUTURES
$WIT_BINDGEN

[workspace]
TOML
echo "upstream-p3-tests: building $(ls "$SRC"/src/bin/*.rs | wc -l) tests of $UP @ $(git -C "$UP" rev-parse --short HEAD 2>/dev/null || echo '?')" >&2
(cd "$TMP" && CARGO_TARGET_DIR=$OUT/.target cargo build --quiet --release --target wasm32-wasip2 --bins) ||
  die "the build of upstream's WASI 0.3 tests failed"

for rs in "$SRC"/src/bin/*.rs; do
  name=$(basename "$rs" .rs)
  cp "$OUT/.target/wasm32-wasip2/release/$name.wasm" "$OUT/wasm32-wasip3/"
  [ -f "$SRC/src/bin/$name.json" ] && cp "$SRC/src/bin/$name.json" "$OUT/wasm32-wasip3/"
done
rm -rf "$OUT/wasm32-wasip3/fs-tests.dir"
cp -r "$SRC/src/bin/fs-tests.dir" "$OUT/wasm32-wasip3/"
echo "upstream-p3-tests: $(ls "$OUT"/wasm32-wasip3/*.wasm | wc -l) components in $OUT/wasm32-wasip3"
