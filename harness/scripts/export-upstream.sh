#!/usr/bin/env bash
# export-upstream.sh UPSTREAM_CHECKOUT
#
# Exports the suite's p1 cases (`wasi-conform export --format
# wasi-testsuite`) and runs them through two runners with the same wasmtime
# CLI (the one `wasi-conform setup wasmtime-cli` installs):
#
#   (a) the official wasi-testsuite runner, test-runner/ with adapters/wasmtime.py
#   (b) wasi-conform testsuite --runtime wasmtime-cli
#
# then compares their pass/fail verdicts test by test and prints both
# tallies and every test where they differ. The export is also run on the
# reference host, where every test must pass.
#
# UPSTREAM_CHECKOUT is a checkout of WebAssembly/wasi-testsuite's main
# branch (the runner that reads `root`); nothing here fetches it. Verified
# against main at e1f53e05d1289534a556d33dec96f8a610aeccbb.
#
# The runner needs Python >= 3.12 with test-runner/requirements.txt; set
# UPSTREAM_PYTHON to that interpreter (e.g. a venv's bin/python), default python3.
# The upstream runner runs each test in its fixture directory itself, so
# each runner gets its own copy of the export. Writes nothing outside a
# temporary directory, removed on exit.
# Exit status: 0 when the verdicts agree, 1 when they do not, 2 on bad setup.
set -euo pipefail
. "$(dirname "$0")/upstream-common.sh"

[ $# -eq 1 ] || die "usage: $0 UPSTREAM_CHECKOUT"
check_setup "$1"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/export-upstream.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

"$WC" export --format wasi-testsuite "$TMP/export" >"$TMP/export.log" 2>&1 ||
  die "export failed: $(tail -n 1 "$TMP/export.log")"
head -n 1 "$TMP/export.log"
cp -a "$TMP/export" "$TMP/up"
cp -a "$TMP/export" "$TMP/wc"
# One suite per case directory, in a stable order.
mapfile -t SUITES < <(cd "$TMP/up" && find . -name '*.wasm' -printf '%h\n' | sed 's|^\./||' | sort -u)

echo "upstream:  $UP @ $(git -C "$UP" rev-parse HEAD 2>/dev/null || echo '(not a git checkout)')"
echo "wasmtime:  CLI $("$WASMTIME_CLI" --version | cut -d' ' -f2)"
echo "tests:     ${#SUITES[@]}"

rc=0
"$WC" testsuite "$TMP/export" --runtime reference >"$TMP/ref.log" 2>&1 || rc=$?
[ "$rc" -le 1 ] || die "wasi-conform testsuite on the reference host failed (exit $rc): $(tail -n 1 "$TMP/ref.log")"
echo "reference: $(grep -c '^pass ' "$TMP/ref.log") of ${#SUITES[@]} pass on the reference host (exit $rc)"

rc=0
run_upstream "$TMP/up.json" "${SUITES[@]/#/$TMP/up/}" >"$TMP/up.log" 2>&1 || rc=$?
[ "$rc" -le 1 ] || die "the upstream runner failed (exit $rc): $(tail -n 1 "$TMP/up.log")"
verdicts upstream "$TMP/up.json" "$TMP/up" "${SUITES[@]/#/$TMP/up/}" >"$TMP/up.v" ||
  die "the upstream runner wrote no readable verdicts: $(tail -n 1 "$TMP/up.log")"

rc=0
"$WC" testsuite "$TMP/wc" --runtime wasmtime-cli --json "$TMP/wc.json" >"$TMP/wc.log" 2>&1 || rc=$?
[ "$rc" -le 1 ] || die "wasi-conform testsuite failed (exit $rc): $(tail -n 1 "$TMP/wc.log")"
verdicts wc "$TMP/wc.json" "$TMP/wc" >"$TMP/wc.v" ||
  die "wasi-conform wrote no readable verdicts: $(tail -n 1 "$TMP/wc.log")"

echo "verdicts:  (a) upstream $(tally "$TMP/up.v")   (b) wasi-conform $(tally "$TMP/wc.v")"
if diff "$TMP/up.v" "$TMP/wc.v" >"$TMP/diff"; then
  echo "verdicts agree: yes ($(wc -l <"$TMP/up.v") tests)"
else
  echo "verdicts agree: no; upstream (<) and wasi-conform (>) differ on:"
  grep '^[<>]' "$TMP/diff"
  exit 1
fi
