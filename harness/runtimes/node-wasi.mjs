// Runs WASI preview1 modules with a `node:wasi`-compatible module: Node.js
// and Deno (run with --allow-read --allow-write --allow-env) both provide
// it, Bun too; only `wasi.wasiImport` is common to them.
// Usage: node-wasi.mjs [--argv0 NAME] [--dir GUEST=HOST]... [--env K=V]... WASM -- ARGS...
//        node-wasi.mjs --serve
// The first runs one guest on the process's stdio. The second serves jobs
// from the harness (harness/src/exec/runtimes/served.rs): one JSON line per
// job on stdin, each guest on a fresh WASI instance with the job's FIFOs as
// its stdio; a module is compiled once per process.
// Exit status (or `exit N` when serving): the guest's; 134 after a trap, 135
// after a link error (stderr says which).
import { writeSync } from "node:fs";
import process from "node:process";
import { compile, serveJobs } from "./serve-jobs.mjs";

// A guest's proc_raise(usr1) must not start Node's inspector (it binds a port,
// and racing with exit it aborts: "Assertion failed:
// start_io_thread_async_initialized"). proc_raise still returns what the
// runtime returns; only the host process ignores the signal.
process.on("SIGUSR1", () => {});

// Deno prints "ExperimentalWarning: WASI is an experimental feature" on
// stderr when node:wasi is loaded (Node gets --no-warnings): a banner of the
// host, not guest output.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
  if (type === "ExperimentalWarning" && String(warning).includes("WASI")) return;
  emitWarning(warning, ...rest);
};
const { WASI } = await import("node:wasi");

/** The options of one run, from its arguments; a string says what is wrong. */
function parse(argv) {
  const preopens = {};
  const env = {};
  let argv0 = null;
  let wasm = null;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") { i++; break; }
    if (arg === "--argv0") argv0 = argv[++i];
    else if (arg === "--dir") {
      const spec = argv[++i];
      const at = spec.indexOf("=");
      preopens[spec.slice(0, at)] = spec.slice(at + 1);
    } else if (arg === "--env") {
      const spec = argv[++i];
      const at = spec.indexOf("=");
      env[spec.slice(0, at)] = spec.slice(at + 1);
    } else if (wasm === null) wasm = arg;
    else return `node-wasi.mjs: unexpected argument ${arg}`;
  }
  if (wasm === null) return "node-wasi.mjs: no wasm file given";
  return { wasm, preopens, env, args: [argv0 ?? wasm, ...argv.slice(i)] };
}

/** Runs one guest with `stdio` ([stdin, stdout, stderr] descriptors); its exit status. */
async function run(argv, [stdin, stdout, stderr]) {
  const say = (line) => writeSync(stderr, `${line}\n`);
  const options = parse(argv);
  if (typeof options === "string") { say(options); return 2; }
  const { wasm, preopens, env, args } = options;
  const wasi = new WASI({ version: "preview1", args, env, preopens, returnOnExit: true, stdin, stdout, stderr });
  let instance;
  try {
    // Bun's LinkError quotes this expression: kept as it was recorded.
    const module = await compile(wasm);
    instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
  } catch (e) {
    say(`${e.name}: ${e.message}`);
    return e instanceof WebAssembly.LinkError ? 135 : 134;
  }
  try {
    return wasi.start(instance);
  } catch (e) {
    say(`trap: ${e.name}: ${e.message}`);
    return 134;
  }
}

if (process.argv[2] === "--serve") {
  // What the runtime does when it frees a guest's instance happens in the
  // job (Node aborts there after some calls, e.g. path_filestat_set_times
  // with atim and atim_now), as a spawned runtime does it at exit. Node
  // frees it in a second collection, after the first has queued it. Needs
  // --expose-gc (Deno: --v8-flags=--expose-gc).
  await serveJobs(run, async () => {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
    globalThis.gc();
  });
} else {
  process.exitCode = await run(process.argv.slice(2), [0, 1, 2]);
}
