#!/usr/bin/env -S node --no-warnings
// Runs WASI preview1 modules on an in-memory JavaScript WASI shim, the kind
// browsers use, on Node.js:
//   --shim bjorn3  @bjorn3/browser_wasi_shim (File/Directory/PreopenDirectory)
//   --shim runno   @runno/wasi (a flat map of paths under its one preopen "/")
// The preopened host directories are copied into the shim's filesystem, the
// guest runs, and the filesystem is copied back over the host directories so
// the harness's snapshot sees what the guest did. stdin is read whole from
// the run's stdin; what the guest writes to fds 1 and 2 goes to the run's.
// Usage: shim-run.mjs --shim NAME --modules NODE_MODULES [--argv0 NAME]
//                     [--dir GUEST=HOST]... [--env K=V]... WASM -- ARGS...
//        shim-run.mjs --shim NAME --modules NODE_MODULES --version
//        shim-run.mjs --shim NAME --modules NODE_MODULES --serve
// The first runs one guest on the process's stdio. The last serves jobs from
// the harness (harness/src/exec/runtimes/served.rs): one JSON line per job on
// stdin, whose arguments are those of the first form after --modules, each
// guest on a fresh shim with the job's FIFOs as its stdio.
// Exit status (or `exit N` when serving): the guest's; 134 after a trap, 135
// after a link error (stderr says "LinkError").
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { compile, serveJobs } from "./serve-jobs.mjs";

/** The options of a run, from its arguments; a string says what is wrong. */
function parse(argv) {
  const options = { preopens: [], env: {}, argv0: null, wasm: null, shim: null, modules: null, version: false, serve: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    const pair = () => { const s = argv[++i]; const at = s.indexOf("="); return [s.slice(0, at), s.slice(at + 1)]; };
    if (arg === "--") { i++; break; }
    if (arg === "--argv0") options.argv0 = argv[++i];
    else if (arg === "--shim") options.shim = argv[++i];
    else if (arg === "--modules") options.modules = argv[++i];
    else if (arg === "--version") options.version = true;
    else if (arg === "--serve") options.serve = true;
    else if (arg === "--dir") options.preopens.push(pair());
    else if (arg === "--env") { const [k, v] = pair(); options.env[k] = v; }
    else if (options.wasm === null) options.wasm = arg;
    else return `shim-run.mjs: unexpected argument ${arg}`;
  }
  options.args = [options.argv0 ?? options.wasm, ...argv.slice(i)];
  return options;
}

const packages = { bjorn3: "@bjorn3/browser_wasi_shim", runno: "@runno/wasi" };
const start = parse(process.argv.slice(2));
if (typeof start === "string" || !(start.shim in packages) || start.modules === null) {
  console.error(typeof start === "string" ? start : "shim-run.mjs: --shim bjorn3|runno and --modules are required");
  process.exit(2);
}
const { shim } = start;
const packageDir = join(start.modules, packages[shim]);
if (start.version) {
  const { version: v } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  console.log(`${packages[shim]} ${v} on node ${process.version}`);
  process.exit(0);
}
const lib = await import(pathToFileURL(join(packageDir, "dist", shim === "runno" ? "main.js" : "index.js")));

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
function writeBack(dir, entries, stderr) {
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
      stderr(Buffer.from(`shim-run.mjs: the shim's filesystem holds ${JSON.stringify(rel)}, outside its preopen; not copied out\n`));
      continue;
    }
    const path = join(dir, rel);
    try { if (lstatSync(path).isSymbolicLink()) rmSync(path); } catch {}
    if (bytes === null) mkdirSync(path, { recursive: true });
    else { mkdirSync(join(path, ".."), { recursive: true }); writeFileSync(path, bytes); }
  }
}

/** Runs one guest with `stdio` ([stdin, stdout, stderr] descriptors); its exit status. */
async function run(argv, [stdinFd, stdoutFd, stderrFd]) {
  const say = (line) => writeSync(stderrFd, `${line}\n`);
  const options = parse(argv);
  if (typeof options === "string") { say(options); return 2; }
  if (options.wasm === null) { say("shim-run.mjs: no wasm file given"); return 2; }
  const stdin = readFileSync(stdinFd);
  const out = (fd) => (bytes) => { if (bytes.length) writeSync(fd, bytes); };
  const stdio = { stdin, stdout: out(stdoutFd), stderr: out(stderrFd) };
  // A trap seen before the shim handles it (see `instantiator`).
  const seen = { trap: null };
  try {
    const guest = instantiator(options.wasm, seen, stdio.stderr);
    return await (shim === "bjorn3" ? runBjorn3 : runRunno)(options, stdio, guest, seen);
  } catch (e) {
    if (e instanceof Stop) return e.code;
    throw e;
  }
}

/** Ends a run with an exit status (a link error, a trap). */
class Stop { constructor(code) { this.code = code; } }

/** The instantiation step of a shim: `imports` give the instance, with
 * `_start` wrapped so a trap is seen before the shim handles it. */
function instantiator(wasm, seen, stderr) {
  return async (imports) => {
    try {
      const module = await compile(wasm);
      const instance = await WebAssembly.instantiate(module, imports);
      const exports = { ...instance.exports };
      const start = instance.exports._start;
      if (typeof start === "function") {
        exports._start = () => {
          try { start(); } catch (e) { if (e instanceof WebAssembly.RuntimeError) seen.trap = e; throw e; }
        };
      }
      return { module, instance: { exports } };
    } catch (e) {
      stderr(Buffer.from(`${e.name}: ${e.message}\n`));
      throw new Stop(e instanceof WebAssembly.LinkError ? 135 : 134);
    }
  };
}

/** The exit status of a trap, said on stderr. */
function trapped(e, stderr) {
  stderr(Buffer.from(`trap: ${e?.name}: ${e?.message ?? e}\n`));
  return 134;
}

async function runBjorn3({ args, env, preopens }, { stdin, stdout, stderr }, instantiate, seen) {
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
    new ConsoleStdout(stdout),
    new ConsoleStdout(stderr),
    ...dirs.map(([, d]) => d),
  ];
  // debug: false, or its debug log (on by default: the devtools console in a
  // browser) would go to stdout.
  const wasi = new WASI(args, Object.entries(env).map(([k, v]) => `${k}=${v}`), fds, { debug: false });
  const inst = await instantiate({ wasi_snapshot_preview1: wasi.wasiImport });
  let code;
  try { code = wasi.start(inst.instance); } catch (e) { code = e; }
  for (const [host, d] of dirs) writeBack(host, save(d.dir.contents), stderr);
  if (typeof code !== "number") return trapped(seen.trap ?? code, stderr);
  return code;
}

async function runRunno({ args, env, preopens }, { stdin, stdout, stderr }, instantiate, seen) {
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
  const text = (write) => (s) => write(Buffer.from(s, "utf8"));
  const wasi = new WASI({ args, env, stdin: readStdin, stdout: text(stdout), stderr: text(stderr), fs });
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
    writeBack(hostDir, entries, stderr);
  }
  if (seen.trap) return trapped(seen.trap, stderr);
  if (typeof result?.exitCode !== "number") return trapped(result, stderr);
  return result.exitCode;
}

if (start.serve) await serveJobs(run);
else process.exitCode = await run(process.argv.slice(2), [0, 1, 2]);
