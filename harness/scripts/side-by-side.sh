#!/usr/bin/env bash
# side-by-side.sh UPSTREAM_CHECKOUT [RUNS]
#
# Times the official wasi-testsuite runner (test-runner/ with
# adapters/wasmtime.py) against `wasi-conform testsuite` on the suite's
# wasm32-wasip1 tests, RUNS times each (default 5), alternating, and prints
# each one's median wall time, the ratios and whether the pass/fail verdicts
# agree test by test.
#
#   (a) upstream runner, WASMTIME = the wasmtime CLI `setup wasmtime-cli` installs
#   (b) wasi-conform testsuite --runtime wasmtime      (embedded wasmtime)
#   (c) wasi-conform testsuite --runtime wasmtime-cli  (the same CLI binary)
#
# UPSTREAM_CHECKOUT is a checkout of WebAssembly/wasi-testsuite on the branch
# with prebuilt tests (prod/testsuite-all); nothing here fetches it.
# Verified against prod/testsuite-all at 3db7f5d1bf71ef31024aa153807e2f243b2e6d24
# (72 p1 tests: assemblyscript 12, c 14, rust 46).
#
# The runner needs Python >= 3.12 with test-runner/requirements.txt; set
# UPSTREAM_PYTHON to that interpreter (e.g. a venv's bin/python), default python3.
# One untimed warm-up run of each fills the compile caches of both sides
# (wasmtime's own cache for the CLI, target/cache/wasmtime for wasi-conform).
# Writes nothing outside a temporary directory, removed on exit.
# Exit status: 0 when the verdicts agree, 1 when they do not, 2 on bad setup.
set -euo pipefail
. "$(dirname "$0")/upstream-common.sh"

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 UPSTREAM_CHECKOUT [RUNS]"
RUNS=${2:-5}
case $RUNS in '' | *[!0-9]* | 0) die "RUNS must be a positive integer, not '$RUNS'" ;; esac
SUITES=(tests/assemblyscript/testsuite/wasm32-wasip1 tests/c/testsuite/wasm32-wasip1 tests/rust/testsuite/wasm32-wasip1)

# --- preconditions: each a one-line error, exit 2 ---
check_setup "$1"
for s in "${SUITES[@]}"; do
  ls "$UP/$s"/*.wasm >/dev/null 2>&1 ||
    die "no prebuilt tests in $UP/$s (check out the prod/testsuite-all branch)"
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/side-by-side.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

ABS_SUITES=("${SUITES[@]/#/$UP/}")
TESTS=$(ls "${ABS_SUITES[@]}" | grep -c '\.wasm$')

now() { date +%s%N; }

# run KIND N: one run of a side; appends its wall ms to $TMP/KIND.ms and
# writes its verdicts (one "suite/test pass|fail|skip" line each) to $TMP/KIND.N.v.
run() {
  local kind=$1 n=$2 t0 t1 rc=0 json=$TMP/wc.json
  case $kind in
    upstream)
      json=$TMP/up.json
      t0=$(now)
      run_upstream "$json" "${SUITES[@]}" >"$TMP/log" 2>&1 || rc=$?
      t1=$(now) ;;
    embedded | cli)
      local rt=wasmtime
      [ "$kind" = cli ] && rt=wasmtime-cli
      t0=$(now)
      "$WC" testsuite "${ABS_SUITES[@]}" --runtime "$rt" --json "$json" >"$TMP/log" 2>&1 || rc=$?
      t1=$(now) ;;
  esac
  # 1 = some test failed; anything else is the runner failing.
  [ "$rc" -le 1 ] || die "$kind run failed (exit $rc): $(tail -n 1 "$TMP/log")"
  echo $(((t1 - t0) / 1000000)) >>"$TMP/$kind.ms"
  local source=wc
  [ "$kind" = upstream ] && source=upstream
  verdicts "$source" "$json" "$UP" "${SUITES[@]}" >"$TMP/$kind.$n.v" ||
    die "$kind run wrote no readable verdicts: $(tail -n 1 "$TMP/log")"
}

median() { sort -n "$1" | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.0f", m}'; }

echo "upstream:  $UP @ $(git -C "$UP" rev-parse HEAD 2>/dev/null || echo '(not a git checkout)')"
echo "tests:     $TESTS .wasm in ${SUITES[*]}"
echo "machine:   $(nproc) cores, $(uname -sm), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
# Both affect the figures: a trap's Rust backtrace is symbolised when
# RUST_BACKTRACE is set, and sandboxes and fixtures churn inodes.
fstype() { { findmnt -no FSTYPE -T "$1" 2>/dev/null || stat -f -c %T "$1"; } | head -n 1; }
echo "env:       RUST_BACKTRACE=${RUST_BACKTRACE-(unset)}; temp dirs in $(dirname "$TMP") ($(fstype "$TMP")), checkout on $(fstype "$UP")"
for kind in upstream embedded cli; do
  run "$kind" 0
  # The embedded version is on the summary line of wasi-conform's output.
  [ "$kind" = embedded ] && EMBEDDED=$(sed -n 's/^wasmtime  *\([0-9][^)]*)\).*/\1/p' "$TMP/log")
done
echo "wasmtime:  CLI $("$WASMTIME_CLI" --version | cut -d' ' -f2); embedded ${EMBEDDED:-?}"
echo "runs:      $RUNS each, alternating, after one warm-up run each"
rm -f "$TMP"/*.ms
for i in $(seq "$RUNS"); do
  for kind in upstream embedded cli; do run "$kind" "$i"; done
done

# --- figures ---
U=$(median "$TMP/upstream.ms")
E=$(median "$TMP/embedded.ms")
C=$(median "$TMP/cli.ms")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (b > 0) ? a / b : 0}'; }
echo
printf '%-52s %8s   %s\n' "" "median" "all runs (ms)"
printf '%-52s %6s ms   %s\n' "(a) upstream runner + wasmtime CLI" "$U" "$(tr '\n' ' ' <"$TMP/upstream.ms")"
printf '%-52s %6s ms   %s\n' "(b) wasi-conform testsuite --runtime wasmtime" "$E" "$(tr '\n' ' ' <"$TMP/embedded.ms")"
printf '%-52s %6s ms   %s\n' "(c) wasi-conform testsuite --runtime wasmtime-cli" "$C" "$(tr '\n' ' ' <"$TMP/cli.ms")"
echo
echo "ratio a/b: $(ratio "$U" "$E")x   a/c: $(ratio "$U" "$C")x   (target: a/b >= 10x)"

# --- verdicts: every timed run of every side against the upstream runner's first ---
echo "verdicts: (a) $(tally "$TMP/upstream.1.v")   (b) $(tally "$TMP/embedded.1.v")   (c) $(tally "$TMP/cli.1.v")"
agree=yes
for kind in upstream embedded cli; do
  for i in $(seq "$RUNS"); do
    if ! diff "$TMP/upstream.1.v" "$TMP/$kind.$i.v" >"$TMP/diff"; then
      agree=no
      echo "verdicts: upstream run 1 (<) and $kind run $i (>) differ:"
      grep '^[<>]' "$TMP/diff"
    fi
  done
done
grep ' fail$' "$TMP/upstream.1.v" | sed 's/^/  failing: /; s/ fail$//' || true
echo "verdicts agree: $agree ($(wc -l <"$TMP/upstream.1.v") tests)"
[ "$agree" = yes ]
