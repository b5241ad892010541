// Usage: node run.mjs [ARGS...]
// Runs program.wasm on @bjorn3/browser_wasi_shim 0.4.2 (npm i
// @bjorn3/browser_wasi_shim@0.4.2 beside this file, or
// BJORN3_SHIM=/path/to/@bjorn3/browser_wasi_shim/dist/index.js) with
// arguments ["program.wasm", ...ARGS], stdout/stderr to the process's and an
// empty preopen /sandbox (fd 3); exits with the guest's exit code.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const spec = process.env.BJORN3_SHIM ? pathToFileURL(process.env.BJORN3_SHIM).href : "@bjorn3/browser_wasi_shim";
const { WASI, File, OpenFile, ConsoleStdout, PreopenDirectory } = await import(spec);
const fds = [
  new OpenFile(new File([])),
  new ConsoleStdout((bytes) => process.stdout.write(bytes)),
  new ConsoleStdout((bytes) => process.stderr.write(bytes)),
  new PreopenDirectory("/sandbox", new Map()),
];
const wasi = new WASI(["program.wasm", ...process.argv.slice(2)], [], fds, { debug: false });
const wasm = readFileSync(new URL("program.wasm", import.meta.url));
const { instance } = await WebAssembly.instantiate(wasm, { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
