#!/usr/bin/env python3
"""Runs one WASI preview1 module on pywasm (a WebAssembly interpreter in pure
Python). Its own CLI passes the wasm path as argv[0]; this sets argv[0] and
reports link errors and traps the way the harness reads them.

Usage: pywasm-run.py --lib DIR [--argv0 NAME] [--dir GUEST=HOST]... [--env K=V]...
                     WASM -- ARGS...
       pywasm-run.py --lib DIR --version
DIR is where pywasm was installed (pip --target). Exit status: the guest's;
134 after a trap, 135 after a link error (stderr says "LinkError").
"""
import sys


def main(argv):
    lib = argv0 = wasm = None
    dirs, envs, version = {}, {}, False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if arg in ("--lib", "--argv0", "--dir", "--env"):
            value = argv[i + 1]
            i += 1
            if arg == "--lib":
                lib = value
            elif arg == "--argv0":
                argv0 = value
            else:
                key, _, val = value.partition("=")
                (dirs if arg == "--dir" else envs)[key] = val
        elif arg == "--version":
            version = True
        elif wasm is None:
            wasm = arg
        else:
            sys.exit(f"pywasm-run.py: unexpected argument {arg}")
        i += 1
    if lib is None:
        sys.exit("pywasm-run.py: --lib is required")
    sys.path.insert(0, lib)
    import importlib.metadata

    import pywasm

    if version:
        # pywasm.version lags the package (2.2.1 inside 2.2.3): ask the metadata.
        print(f"pywasm {importlib.metadata.version('pywasm')} on Python {sys.version.split()[0]}")
        return 0
    if wasm is None:
        sys.exit("pywasm-run.py: no wasm file given")

    runtime = pywasm.core.Runtime()
    wasi = pywasm.wasi.Preview1([argv0 or wasm] + argv[i:], dirs, envs)
    wasi.bind(runtime)
    try:
        with open(wasm, "rb") as f:
            module = pywasm.core.ModuleDesc.from_reader(f)
    except Exception as e:
        print(f"pywasm-run.py: cannot load {wasm}: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    for imp in module.imps:
        if imp.name not in runtime.imports.get(imp.module, {}):
            print(f"LinkError: unknown import {imp.module}::{imp.name}", file=sys.stderr)
            return 135
    try:
        instance = runtime.instance(module)
        return wasi.main(runtime, instance)
    except Exception as e:
        # pywasm raises a plain Exception for a trap ('unreachable', out of
        # bounds...); a failing host function looks the same.
        print(f"trap: {type(e).__name__}: {e}", file=sys.stderr)
        return 134


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
