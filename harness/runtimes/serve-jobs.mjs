// What the Node.js runner scripts (node-wasi.mjs, shim-run.mjs) share: the
// worker side of harness/src/exec/runtimes/served.rs, and compiled modules
// kept for the life of the process.
import { closeSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import process from "node:process";
import { createInterface } from "node:readline";

/** Jobs a worker runs before it retires: a fresh process now and then sheds
 * what a runtime keeps between instances (Node's WASI never closes the
 * descriptors of the preopens it opened). */
const JOBS_PER_WORKER = 100;

/** Serves jobs from stdin until it closes: each job's FIFOs are opened as
 * [stdin, stdout, stderr], `run(args, stdio)` gives its exit status, and
 * `settle()` runs before the FIFOs are closed (what a runtime would do at
 * exit happens in the job that caused it). */
export async function serveJobs(run, settle = async () => {}) {
  let served = 0;
  for await (const line of createInterface({ input: process.stdin })) {
    const job = JSON.parse(line);
    process.chdir(job.cwd);
    const stdio = [openSync(job.stdin, "r"), openSync(job.stdout, "w"), openSync(job.stderr, "w")];
    writeSync(1, "opened\n");
    let code;
    try {
      code = await run(job.args, stdio);
    } catch (e) {
      // What escapes the runner ends a spawned run as an uncaught error does.
      writeSync(stdio[2], `${e?.stack ?? e}\n`);
      code = 1;
    }
    await settle();
    // A guest may have closed its stdio itself.
    for (const fd of stdio) try { closeSync(fd); } catch {}
    const retire = ++served >= JOBS_PER_WORKER;
    writeSync(1, `exit ${code}${retire ? " retire" : ""}\n`);
    if (retire) process.exit(0);
  }
}

const compiled = new Map();
/** The module at path `wasm`, compiled once while the file is unchanged. */
export async function compile(wasm) {
  const { mtimeMs, size } = statSync(wasm);
  const known = compiled.get(wasm);
  if (known?.mtimeMs === mtimeMs && known.size === size) return known.module;
  const module = await WebAssembly.compile(readFileSync(wasm));
  compiled.set(wasm, { mtimeMs, size, module });
  return module;
}
