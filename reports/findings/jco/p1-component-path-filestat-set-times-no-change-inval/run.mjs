// Usage: node run.mjs JCO_NODE_MODULES COMPONENT.wasm SANDBOX_DIR [--env K=V]... [-- ARG...]
// Runs a WASI 0.2 command component (here: a preview1 module wrapped with
// wasmtime 48.0.8's preview1 command adapter) with jco 1.35.0's API:
// `transpile` (the library behind `jco transpile`) into a fresh temporary
// directory, then the generated module's wasi:cli/run `run`, on
// @bytecodealliance/preview2-shim 0.26.1 with SANDBOX_DIR preopened as
// /sandbox, the environment given by --env (none by default) and argv
// [guest, ARG...]. Exit status: 0 if run returns ok, 1 if it returns err,
// 134 on a trap.
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
const argv = process.argv.slice(2);
const [modulesArg, wasm, dir] = argv;
const env = {};
let args = [];
for (let i = 3; i < argv.length; i++) {
  if (argv[i] === "--env") { const s = argv[++i]; const at = s.indexOf("="); env[s.slice(0, at)] = s.slice(at + 1); }
  else if (argv[i] === "--") { args = argv.slice(i + 1); break; }
}
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
cli._setEnv(env);
cli._setCwd(null);
(await load("@bytecodealliance/preview2-shim/dist/nodejs/filesystem.js"))._setPreopens({ "/sandbox": dir });
const guest = await import(pathToFileURL(join(out, "guest.js")));
const run = guest.run?.run ?? guest["wasi:cli/run@0.2.0"]?.run;
try {
  run();
  process.exitCode = 0;
} catch (e) {
  if (e?.constructor?.name === "ComponentError") process.exitCode = 1;
  else { console.error(`trap: ${e?.name}: ${e?.message}`); process.exitCode = 134; }
}
