// Usage: node run.mjs
// Runs program.wasm on @runno/wasi 0.10.0 (npm i @runno/wasi@0.10.0 beside
// this file, or RUNNO_WASI=/path/to/@runno/wasi/dist/main.js) with an empty
// in-memory file system (its one preopen, fd 3, is "/"); exits with the
// guest's exit code.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const spec = process.env.RUNNO_WASI ? pathToFileURL(process.env.RUNNO_WASI).href : "@runno/wasi";
const { WASI } = await import(spec);
const wasi = new WASI({
  args: ["program.wasm"],
  env: {},
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  fs: {},
});
const wasm = readFileSync(new URL("program.wasm", import.meta.url));
const result = wasi.start(await WebAssembly.instantiate(wasm, wasi.getImportObject()));
process.exitCode = result.exitCode;
