#!/usr/bin/env -S node --no-warnings
// Runs one WASI preview1 module on an in-memory JavaScript WASI shim, the kind
// browsers use, on Node.js:
//   --shim bjorn3  @bjorn3/browser_wasi_shim (File/Directory/PreopenDirectory)
//   --shim runno   @runno/wasi (a flat map of paths under its one preopen "/")
// The preopened host directories are copied into the shim's filesystem, the
// guest runs, and the filesystem is copied back over the host directories so
// the harness's snapshot sees what the guest did. stdin is the process's
// stdin; what the guest writes to fds 1 and 2 goes to the process's.
// Usage: shim-run.mjs --shim NAME --modules NODE_MODULES [--argv0 NAME]
//                     [--dir GUEST=HOST]... [--env K=V]... WASM -- ARGS...
//        shim-run.mjs --shim NAME --modules NODE_MODULES --version
// Exit status: the guest's; 134 after a trap, 135 after a link error (stderr
// says "LinkError").
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";

const argv = process.argv.slice(2);
const preopens = [];
const env = {};
let argv0 = null, wasm = null, shim = null, modules = null, version = false;
let i = 0;
for (; i < argv.length; i++) {
  const arg = argv[i];
  const pair = () => { const s = argv[++i]; const at = s.indexOf("="); return [s.slice(0, at), s.slice(at + 1)]; };
  if (arg === "--") { i++; break; }
  if (arg === "--argv0") argv0 = argv[++i];
  else if (arg === "--shim") shim = argv[++i];
  else if (arg === "--modules") modules = argv[++i];
  else if (arg === "--version") version = true;
  else if (arg === "--dir") preopens.push(pair());
  else if (arg === "--env") { const [k, v] = pair(); env[k] = v; }
  else if (wasm === null) wasm = arg;
  else { console.error(`shim-run.mjs: unexpected argument ${arg}`); process.exit(2); }
}
const packages = { bjorn3: "@bjorn3/browser_wasi_shim", runno: "@runno/wasi" };
if (!(shim in packages) || modules === null) {
  console.error("shim-run.mjs: --shim bjorn3|runno and --modules are required");
  process.exit(2);
}
const packageDir = join(modules, packages[shim]);
if (version) {
  const { version: v } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  console.log(`${packages[shim]} ${v} on node ${process.version}`);
  process.exit(0);
}
if (wasm === null) { console.error("shim-run.mjs: no wasm file given"); process.exit(2); }
const args = [argv0 ?? wasm, ...argv.slice(i)];
const lib = await import(pathToFileURL(join(packageDir, "dist", shim === "runno" ? "main.js" : "index.js")));
const stdin = readFileSync(0);
const out = (fd) => (bytes) => { if (bytes.length) writeSync(fd, bytes); };

/** The host tree under `dir`, depth first: [relative path, kind, bytes, host inode key]. */
function walk(dir, prefix = "") {
  const entries = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name), rel = prefix + name, st = lstatSync(path);
    if (st.isDirectory()) entries.push([rel, "dir"], ...walk(path, rel + "/"));
    else if (st.isFile()) entries.push([rel, "file", readFileSync(path), `${st.dev}:${st.ino}`]);
    else entries.push([rel, "other"]); // symlinks and the like: neither shim has them
  }
  return entries;
}

/** Replaces the contents of host directory `dir` with `entries` ([path, bytes|null for a dir]).
 * A path that would leave `dir` (a shim that keeps `../x` as a name) is not
 * written: the copy back must never be the escape; stderr names it. */
function writeBack(dir, entries) {
  // Symlinks (which neither shim can hold, so the guest never saw them) stay
  // as they were; everything else is replaced by the shim's tree.
  (function clear(d) {
    for (const name of readdirSync(d)) {
      const path = join(d, name), st = lstatSync(path);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) { clear(path); if (readdirSync(path).length === 0) rmSync(path, { recursive: true }); }
      else rmSync(path, { force: true });
    }
  })(dir);
  for (const [rel, bytes] of entries) {
    const parts = rel.split("/");
    if (parts.includes("..") || rel.startsWith("/")) {
      console.error(`shim-run.mjs: the shim's filesystem holds ${JSON.stringify(rel)}, outside its preopen; not copied out`);
      continue;
    }
    const path = join(dir, rel);
    try { if (lstatSync(path).isSymbolicLink()) rmSync(path); } catch {}
    if (bytes === null) mkdirSync(path, { recursive: true });
    else { mkdirSync(join(path, ".."), { recursive: true }); writeFileSync(path, bytes); }
  }
}

let trap = null;
/** The instance with `_start` wrapped so a trap is seen before the shim handles it. */
async function instantiate(imports) {
  try {
    const module = await WebAssembly.compile(readFileSync(wasm));
    const instance = await WebAssembly.instantiate(module, imports);
    const exports = { ...instance.exports };
    const start = instance.exports._start;
    if (typeof start === "function") {
      exports._start = () => {
        try { start(); } catch (e) { if (e instanceof WebAssembly.RuntimeError) trap = e; throw e; }
      };
    }
    return { module, instance: { exports } };
  } catch (e) {
    console.error(`${e.name}: ${e.message}`);
    process.exit(e instanceof WebAssembly.LinkError ? 135 : 134);
  }
}
const trapped = (e) => {
  console.error(`trap: ${e?.name}: ${e?.message ?? e}`);
  process.exit(134);
};

if (shim === "bjorn3") {
  const { WASI, File, Directory, OpenFile, PreopenDirectory, ConsoleStdout } = lib;
  // A directory's contents as a Map; hard links share one File.
  const inodes = new Map();
  function load(dir) {
    const root = new Map();
    for (const [rel, kind, bytes, inode] of walk(dir)) {
      const parts = rel.split("/"), name = parts.pop();
      let parent = root;
      for (const p of parts) parent = parent.get(p).contents;
      if (kind === "dir") parent.set(name, new Directory(new Map()));
      else if (kind === "file") {
        if (!inodes.has(inode)) inodes.set(inode, new File(bytes));
        parent.set(name, inodes.get(inode));
      }
    }
    return root;
  }
  function save(contents, prefix = "", entries = []) {
    for (const [name, node] of contents) {
      if (node instanceof Directory) { entries.push([prefix + name, null]); save(node.contents, prefix + name + "/", entries); }
      else entries.push([prefix + name, node.data]);
    }
    return entries;
  }
  const dirs = preopens.map(([guest, host]) => [host, new PreopenDirectory(guest, load(host))]);
  const fds = [
    new OpenFile(new File(stdin)),
    new ConsoleStdout(out(1)),
    new ConsoleStdout(out(2)),
    ...dirs.map(([, d]) => d),
  ];
  // debug: false, or its debug log (on by default: the devtools console in a
  // browser) would go to stdout.
  const wasi = new WASI(args, Object.entries(env).map(([k, v]) => `${k}=${v}`), fds, { debug: false });
  const inst = await instantiate({ wasi_snapshot_preview1: wasi.wasiImport });
  let code;
  try { code = wasi.start(inst.instance); } catch (e) { code = e; }
  for (const [host, d] of dirs) writeBack(host, save(d.dir.contents));
  if (typeof code !== "number") trapped(trap ?? code);
  process.exit(code);
} else {
  const { WASI } = lib;
  // runno has exactly one preopen, fd 3, named "/", holding a flat map of
  // files by absolute path; a directory exists while a path lies under it, and
  // runno's own mkdir marks an empty one with a `.runno` file. Only the first
  // preopen can be given.
  const hostDir = preopens[0]?.[1];
  const time = new Date(0);
  const fs = {};
  if (hostDir !== undefined) {
    const entries = walk(hostDir);
    for (const [rel, kind, bytes] of entries) {
      const path = `/${rel}`;
      if (kind === "file") fs[path] = { path, mode: "binary", content: new Uint8Array(bytes), timestamps: { access: time, modification: time, change: time } };
      else if (kind === "dir" && !entries.some(([other]) => other.startsWith(`${rel}/`))) {
        fs[`${path}/.runno`] = { path: `${path}/.runno`, mode: "string", content: "", timestamps: { access: time, modification: time, change: time } };
      }
    }
  }
  // stdin: handed out as strings of at most `max` UTF-8 bytes, cut at a character boundary.
  let offset = 0;
  const readStdin = (max) => {
    if (offset >= stdin.length) return null;
    let end = Math.min(stdin.length, offset + max);
    while (end < stdin.length && end > offset && (stdin[end] & 0xc0) === 0x80) end--;
    if (end === offset) end = Math.min(stdin.length, offset + max);
    const text = stdin.subarray(offset, end).toString("utf8");
    offset = end;
    return text;
  };
  const text = (fd) => (s) => out(fd)(Buffer.from(s, "utf8"));
  const wasi = new WASI({ args, env, stdin: readStdin, stdout: text(1), stderr: text(2), fs });
  const inst = await instantiate(wasi.getImportObject());
  let result;
  try { result = wasi.start(inst); } catch (e) { result = e; }
  if (hostDir !== undefined) {
    const files = wasi.drive.fs;
    const entries = [];
    for (const path of Object.keys(files).sort()) {
      const file = files[path];
      const rel = path.replace(/^\/+/, "");
      if (rel.split("/").pop() === ".runno" && file.content.length === 0) entries.push([rel.slice(0, -"/.runno".length), null]);
      else entries.push([rel, file.mode === "binary" ? file.content : Buffer.from(file.content, "utf8")]);
    }
    writeBack(hostDir, entries);
  }
  if (trap) trapped(trap);
  if (typeof result?.exitCode !== "number") trapped(result);
  process.exit(result.exitCode);
}
