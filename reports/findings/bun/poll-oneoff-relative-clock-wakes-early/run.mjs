// Usage: bun run.mjs [DIR]
// Runs program.wasm on node:wasi (as provided by Bun) with DIR (default: a fresh empty temporary
// directory) preopened as /sandbox (fd 3); exits with the guest's exit code.
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WASI } from "node:wasi";
const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), "wasi-finding-"));
const wasi = new WASI({ version: "preview1", preopens: { "/sandbox": dir } });
const wasm = readFileSync(new URL("program.wasm", import.meta.url));
const { instance } = await WebAssembly.instantiate(wasm, { wasi_snapshot_preview1: wasi.wasiImport });
process.exitCode = wasi.start(instance);
