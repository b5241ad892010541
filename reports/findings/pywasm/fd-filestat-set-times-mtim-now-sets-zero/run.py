"""Usage: python3 run.py [DIR [ARGS...]]  (pywasm importable: pip install pywasm==2.2.3)
Runs program.wasm on pywasm's WASI preview1 with DIR (default: a fresh empty
temporary directory) preopened as /sandbox (fd 3) and ARGS as its arguments;
exits with the guest's exit code."""
import os
import sys
import tempfile

import pywasm

here = os.path.dirname(os.path.abspath(__file__))
sandbox = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="wasi-finding-")
wasi = pywasm.wasi.Preview1(["program.wasm"] + sys.argv[2:], {"/sandbox": sandbox}, {})
runtime = pywasm.core.Runtime()
wasi.bind(runtime)
with open(os.path.join(here, "program.wasm"), "rb") as f:
    module = pywasm.core.ModuleDesc.from_reader(f)
sys.exit(wasi.main(runtime, runtime.instance(module)))
