# upstream-common.sh: what the scripts that run the official wasi-testsuite
# runner share (sourced, not run): one-line errors, the set-up checks and
# reading both runners' verdicts. Nothing here fetches the upstream runner.

die() { echo "$(basename "$0"): $*" >&2; exit 2; }

# check_setup UPSTREAM_CHECKOUT: checks what a script needs and sets
#   UP           the checkout, absolute
#   WC           wasi-conform, built with `cargo build --release`
#   WASMTIME_CLI the real wasmtime binary `wasi-conform setup wasmtime-cli`
#                installs (bin/wasmtime is a Python wrapper that would add an
#                interpreter start to every upstream run)
#   PY           the runner's Python (UPSTREAM_PYTHON, default python3):
#                >= 3.12 with test-runner/requirements.txt
# Each problem is a one-line error and exit 2.
check_setup() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  [ -d "$1" ] || die "no upstream checkout at '$1'"
  UP=$(cd "$1" && pwd)
  [ -f "$UP/test-runner/wasi_test_runner.py" ] && [ -f "$UP/adapters/wasmtime.py" ] ||
    die "'$UP' is not a wasi-testsuite checkout (no test-runner/wasi_test_runner.py or adapters/wasmtime.py)"
  WC=$root/target/release/wasi-conform
  WASMTIME_CLI=$root/target/runtimes/wasmtime-cli/wasmtime_cli/wasmtime
  PY=${UPSTREAM_PYTHON:-python3}
  [ -x "$WC" ] || die "$WC is missing: build it with \`cargo build --release\`"
  [ -x "$WASMTIME_CLI" ] || die "no wasmtime CLI at $WASMTIME_CLI: run \`wasi-conform setup wasmtime-cli\`"
  command -v "$PY" >/dev/null 2>&1 || die "missing runner dependency: no Python '$PY' (set UPSTREAM_PYTHON)"
  local problem
  problem=$("$PY" -c '
import sys
if sys.version_info < (3, 12):
    print("Python >= 3.12 (this is %d.%d)" % sys.version_info[:2]); sys.exit()
missing = []
for m in ("colorama", "requests"):
    try: __import__(m)
    except ImportError: missing.append(m)
if missing: print("the module(s) " + ", ".join(missing))
' 2>&1) || problem="a working Python ($problem)"
  [ -z "$problem" ] ||
    die "missing runner dependency: $PY lacks $problem; pip install -r $UP/test-runner/requirements.txt into a venv and set UPSTREAM_PYTHON"
}

# run_upstream JSON SUITE...: the official runner with its wasmtime adapter
# on the suites (relative to $UP or absolute), its report written to JSON;
# the console log goes to stdout. Returns the runner's exit status.
run_upstream() {
  local json=$1
  shift
  (cd "$UP" && WASMTIME=$WASMTIME_CLI "$PY" test-runner/wasi_test_runner.py \
    -r adapters/wasmtime.py --disable-colors --json-output-location "$json" -t "$@")
}

# verdicts KIND JSON BASE SUITE...: one "test pass|fail|skip" line per test,
# sorted, from the upstream runner's report (KIND upstream, suites in the
# order given to -t) or from `wasi-conform testsuite --json` (KIND wc). A
# test is named by its path without `.wasm`, relative to BASE.
verdicts() {
  "$PY" - "$@" <<'PYEOF'
import json, os, sys
kind, path, base, suites = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def rel(p):
    p = os.path.normpath(os.path.join(base, p))
    return os.path.relpath(p, base)
rows = []
if kind == "upstream":
    for suite, res in zip(suites, json.load(open(path))["results"]):
        for t in res["tests"]:
            v = "skip" if not t["executed"] else ("fail" if t["failures"] else "pass")
            rows.append((rel(os.path.join(suite, t["name"])), v))
else:
    for r in json.load(open(path))["runs"]:
        v = {"pass": "pass", "skipped": "skip"}.get(r["verdict"], "fail")
        rows.append((rel(r["case"]), v))
for name, v in sorted(rows):
    print(name, v)
PYEOF
}

# tally FILE: "N pass, N fail, N skip" of a verdicts file.
tally() { awk '{n[$2]++} END {printf "%d pass, %d fail, %d skip", n["pass"], n["fail"], n["skip"]}' "$1"; }
