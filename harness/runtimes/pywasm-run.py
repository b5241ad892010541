#!/usr/bin/env python3
"""Runs WASI preview1 modules on pywasm (a WebAssembly interpreter in pure
Python). Its own CLI passes the wasm path as argv[0]; this sets argv[0] and
reports link errors and traps the way the harness reads them.

Usage: pywasm-run.py --lib DIR [--argv0 NAME] [--dir GUEST=HOST]... [--env K=V]...
                     WASM -- ARGS...
       pywasm-run.py --lib DIR --version
       pywasm-run.py --lib DIR --serve
DIR is where pywasm was installed (pip --target). The first runs one guest
on the process's stdio. The last serves jobs from the harness
(harness/src/exec/runtimes/served.rs): one JSON line per job on stdin, whose
arguments are those of the first form after DIR, each guest on a fresh
pywasm runtime with the job's FIFOs as descriptors 0, 1 and 2 (pywasm's
stdio). Exit status (or `exit N` when
serving): the guest's; 134 after a trap, 135 after a link error (stderr says
"LinkError").
"""
import json
import os
import sys

# Jobs a worker runs before it retires (a fresh process now and then bounds
# what pywasm might keep between runs).
JOBS_PER_WORKER = 100


def parse(argv):
    """The options of a run: a dict, and the index of the guest's arguments."""
    options = {"lib": None, "argv0": None, "wasm": None, "dirs": {}, "envs": {}, "version": False, "serve": False}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if arg in ("--lib", "--argv0", "--dir", "--env"):
            value = argv[i + 1]
            i += 1
            if arg in ("--lib", "--argv0"):
                options[arg[2:]] = value
            else:
                key, _, val = value.partition("=")
                options["dirs" if arg == "--dir" else "envs"][key] = val
        elif arg in ("--version", "--serve"):
            options[arg[2:]] = True
        elif options["wasm"] is None:
            options["wasm"] = arg
        else:
            sys.exit(f"pywasm-run.py: unexpected argument {arg}")
        i += 1
    options["args"] = argv[i:]
    return options


def run(pywasm, argv):
    """Runs one guest on descriptors 0, 1 and 2; its exit status."""
    options = parse(argv)
    wasm = options["wasm"]
    if wasm is None:
        sys.exit("pywasm-run.py: no wasm file given")
    runtime = pywasm.core.Runtime()
    wasi = pywasm.wasi.Preview1([options["argv0"] or wasm] + options["args"], options["dirs"], options["envs"])
    wasi.bind(runtime)
    # Parsed for each run: instantiating a ModuleDesc changes it, so one
    # cannot serve two runs.
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


def serve(pywasm):
    """Serves jobs from stdin until it closes (see the module's doc)."""
    jobs = os.fdopen(os.dup(0), "r")
    replies = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for served, line in enumerate(jobs, 1):
        job = json.loads(line)
        os.chdir(job["cwd"])
        opened = [os.open(job["stdin"], os.O_RDONLY), os.open(job["stdout"], os.O_WRONLY),
                  os.open(job["stderr"], os.O_WRONLY)]
        for target, fd in enumerate(opened):
            os.dup2(fd, target)
            os.close(fd)
        os.write(replies, b"opened\n")
        try:
            code = run(pywasm, job["args"])
        except SystemExit as e:
            # What ends a spawned run ends the job the same way.
            if isinstance(e.code, int):
                code = e.code
            else:
                print(e.code, file=sys.stderr)
                code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        for target in range(3):
            os.dup2(devnull, target)
        retire = served >= JOBS_PER_WORKER
        os.write(replies, f"exit {code}{' retire' if retire else ''}\n".encode())
        if retire:
            return


def main(argv):
    options = parse(argv)
    if options["lib"] is None:
        sys.exit("pywasm-run.py: --lib is required")
    sys.path.insert(0, options["lib"])
    import importlib.metadata

    import pywasm

    if options["version"]:
        # pywasm.version lags the package (2.2.1 inside 2.2.3): ask the metadata.
        print(f"pywasm {importlib.metadata.version('pywasm')} on Python {sys.version.split()[0]}")
        return 0
    if options["serve"]:
        serve(pywasm)
        return 0
    return run(pywasm, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
