// Runs one WASI preview1 module with a `node:wasi`-compatible module:
// Node.js, Bun and Deno (run with --allow-read --allow-write --allow-env)
// all provide it; only `wasi.wasiImport` is common to the three.
// Usage: node-wasi.mjs [--argv0 NAME] [--dir GUEST=HOST]... [--env K=V]... WASM -- ARGS...
// Exit status: the guest's; 134 after a trap, 135 after a link error (stderr says which).
import { readFile } from "node:fs/promises";
import process from "node:process";

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

const argv = process.argv.slice(2);
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
  else { console.error(`node-wasi.mjs: unexpected argument ${arg}`); process.exit(2); }
}
if (wasm === null) { console.error("node-wasi.mjs: no wasm file given"); process.exit(2); }
const args = [argv0 ?? wasm, ...argv.slice(i)];

const wasi = new WASI({ version: "preview1", args, env, preopens, returnOnExit: true });
let instance;
try {
  const module = await WebAssembly.compile(await readFile(wasm));
  instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
} catch (e) {
  console.error(`${e.name}: ${e.message}`);
  process.exit(e instanceof WebAssembly.LinkError ? 135 : 134);
}
try {
  process.exitCode = wasi.start(instance);
} catch (e) {
  console.error(`trap: ${e.name}: ${e.message}`);
  process.exitCode = 134;
}
