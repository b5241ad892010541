// Usage: deno run --allow-read --allow-write --allow-env run.mjs [DIR]
// Runs program.wasm on node:wasi (as provided by Deno) with DIR (default: a fresh empty temporary
// directory) preopened as /sandbox (fd 3); exits with the guest's exit code.
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";
let dir = process.argv[2];
if (dir === undefined) {
  dir = mkdtempSync(join(tmpdir(), "wasi-finding-"));
  // empty
}
const wasi = new WASI({ version: "preview1", preopens: { "/sandbox": dir } });
const wasm = readFileSync(new URL("program.wasm", import.meta.url));
const { instance } = await WebAssembly.instantiate(wasm, { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
