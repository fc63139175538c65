"use strict";
// Loads the CLI bundle (dist/cli, CommonJS chunks: scripts/build-cli.mjs) the way Node's `require` would, with
// one difference: each chunk is compiled with V8's code cache, kept per user, so that a run does not parse and
// compile again the code the previous runs compiled (issue 13: that is a third of a one-file run). Node 22's
// `module.enableCompileCache` does the same for its own loader; Node 20 has none.
//
// The cache is only ever V8's own serialized code of our own files:
// - it lives in a directory of the user (OIDCLINT_CACHE_DIR, else the platform's per-user cache directory),
//   created 0700, and is used only when that directory is a real directory owned by the user that no one else
//   can write to (POSIX), so no other user can put data there;
// - it is keyed by the build (a hash of every chunk, first line of cli.js), Node's version and the
//   architecture; V8 checks its own version, flags and the source length again and rejects data that does not
//   fit (`cachedDataRejected`), and the chunk is then compiled from its source as without a cache;
// - it is one file per build (code.cache: an index of the chunks' data, then the data), read one chunk at a time
//   into one reused buffer (one open and one read per chunk instead of four calls and a new buffer each: fresh
//   memory and system calls are what a short run pays most for); it is written whole (a temporary file
//   renamed) at exit when a chunk was missing or rejected, with the chunks it held before, so that it holds the
//   functions the runs compiled; a month-old cache of another build is removed when a new one starts;
// - any failure (read-only file system, no home directory, another user's directory) only means no cache.
// NODE_DISABLE_COMPILE_CACHE=1 (Node's own switch) or OIDCLINT_CACHE_DIR= (empty) turns it off.
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { createRequire, wrap } = require("node:module");

const BUNDLE = path.join(__dirname, "..", "dist", "cli");

/** What the cache did in this process (for tests): chunks loaded, compiled from cached data, cache files written. */
const cacheStats = { loaded: 0, accepted: 0, written: 0 };

/** The per-user cache directory for this build, created if need be; undefined when there is none to trust. */
function cacheDirectory(build) {
  const env = process.env;
  if (env.NODE_DISABLE_COMPILE_CACHE === "1" || !/^[0-9a-f]{16}$/.test(build)) return undefined;
  let base = env.OIDCLINT_CACHE_DIR;
  if (base === "") return undefined;
  if (base === undefined) {
    // os.homedir() is $HOME on POSIX when it is set; the os module is loaded only when it is not (or on Windows).
    const home = (process.platform !== "win32" && env.HOME) || require("node:os").homedir();
    if (process.platform === "win32")
      base = path.join(env.LOCALAPPDATA || path.join(home, "AppData", "Local"), "oidclint");
    else if (process.platform === "darwin") base = path.join(home, "Library", "Caches", "oidclint");
    else base = path.join(env.XDG_CACHE_HOME || path.join(home, ".cache"), "oidclint");
  }
  if (!path.isAbsolute(base)) return undefined;
  const dir = path.join(base, `v8-${build}-${process.version}-${process.arch}`);
  try {
    const created = fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!private_(base) || !private_(dir)) return undefined;
    if (created !== undefined) removeStale(base, dir);
    return dir;
  } catch {
    return undefined;
  }
}

/** A new build's cache: the caches of builds not used for a month go. */
function removeStale(base, current) {
  const month = Date.now() - 30 * 24 * 3600 * 1000;
  for (const name of fs.readdirSync(base)) {
    const dir = path.join(base, name);
    if (!name.startsWith("v8-") || dir === current) continue;
    try {
      if (fs.lstatSync(dir).mtimeMs < month) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // another run removed it
    }
  }
}

/** A directory (not a link to one) of this user that no other user can write to. */
function private_(dir) {
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) return false;
  if (process.platform === "win32" || typeof process.getuid !== "function") return true;
  return st.uid === process.getuid() && (st.mode & 0o022) === 0;
}

/**
 * The chunks of dist/cli/core.pack (scripts/build-cli.mjs): the build they are of, and `source(name)`, a chunk's
 * wrapped source by name relative to dist/cli (undefined for a chunk the pack does not hold); undefined without a
 * pack. The index is read at once; a chunk's bytes only when the run loads it, with one read into one buffer
 * reused for every chunk: a run loads about two thirds of the pack, and reading it whole cost a buffer and a
 * string of all of it, fresh memory (page faults) that is most of the time it takes (issue 13). The file stays
 * open: a build that replaces the pack (scripts/build-cli.mjs removes dist/cli first) leaves this one as it was.
 */
function readPack() {
  let fd;
  try {
    fd = fs.openSync(path.join(BUNDLE, "core.pack"), "r");
    let head;
    for (let size = 8192; ; size *= 4) {
      const buf = Buffer.allocUnsafe(size);
      const n = fs.readSync(fd, buf, 0, size, 0);
      head = /^\/\/ oidclint pack (\w+)\n(.*)\n/.exec(buf.toString("latin1", 0, n));
      if (head || n < size) break;
    }
    if (!head) throw new Error("no pack index");
    const entries = new Map();
    let largest = 0;
    for (const [name, start, end] of JSON.parse(head[2])) {
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) throw new Error();
      entries.set(name, [start, end]);
      largest = Math.max(largest, end - start);
    }
    let scratch;
    const source = (name) => {
      const entry = entries.get(name);
      if (!entry) return undefined;
      const [start, end] = entry;
      scratch ??= Buffer.allocUnsafeSlow(largest);
      if (fs.readSync(fd, scratch, 0, end - start, start) !== end - start)
        throw new Error(`${name}: the pack is cut short`);
      return scratch.toString("latin1", 0, end - start);
    };
    return { build: head[1], source };
  } catch {
    if (fd !== undefined) fs.closeSync(fd);
    return undefined;
  }
}

/** `./x.js`, `./chunks/x.js` or `../x.js` (what the chunks require) from the chunk `from`, both relative to dist/cli. */
function resolveChunk(from, spec) {
  let dir = from.includes("/") ? from.slice(0, from.lastIndexOf("/")) : "";
  let rest = spec;
  for (;;) {
    if (rest.startsWith("./")) rest = rest.slice(2);
    else if (rest.startsWith("../") && dir !== "") {
      dir = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
      rest = rest.slice(3);
    } else break;
  }
  if (rest.startsWith(".") || rest.includes("/.") || rest.includes("\\")) return undefined;
  return dir === "" ? rest : `${dir}/${rest}`;
}

const CACHE_HEAD = /^\/\/ oidclint code cache (\d+)\n/;

/**
 * The build's code cache file: `// oidclint code cache N\n`, a JSON line of N bytes (and its line break)
 * `[[name, offset, length], …]` (offsets in the file), then V8's data of each chunk. V8 checks each chunk's data
 * (its version, flags, source length and size) before it uses it. `read(name)` gives a chunk's data in a buffer that the next
 * read reuses (undefined when the file has none, or is unreadable or malformed); `close(compiled)` writes the file
 * again when chunks were compiled without data (`{ key, script, data? }`: `data` when it was taken before the run
 * changed V8's flags), keeping the data of the others.
 */
function openCache(file) {
  let fd;
  let entries = new Map();
  let scratch;
  try {
    fd = fs.openSync(file, "r");
    const first = Buffer.alloc(64);
    const head = CACHE_HEAD.exec(first.toString("latin1", 0, fs.readSync(fd, first, 0, 64, 0)));
    if (head) {
      const length = Number(head[1]);
      const index = Buffer.allocUnsafe(length);
      if (fs.readSync(fd, index, 0, length, head[0].length) === length) {
        entries = new Map(JSON.parse(index.toString("latin1")).map(([name, offset, size]) => [name, [offset, size]]));
        let largest = 0;
        for (const [offset, size] of entries.values()) {
          if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size <= 0)
            throw new Error();
          largest = Math.max(largest, size);
        }
        scratch = Buffer.allocUnsafeSlow(largest);
      }
    }
  } catch {
    entries = new Map();
  }
  const readEntry = (name, into) => {
    const entry = entries.get(name);
    if (!entry || fd === undefined) return undefined;
    const [offset, size] = entry;
    try {
      return fs.readSync(fd, into, 0, size, offset) === size ? into.subarray(0, size) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    read: (name) => (scratch ? readEntry(name, scratch) : undefined),
    close(compiled) {
      try {
        if (compiled.length === 0) return;
        const fresh = new Map(compiled.map(({ key, script, data }) => [key, data ?? script.createCachedData()]));
        const data = [];
        for (const name of entries.keys())
          if (!fresh.has(name)) {
            const kept = readEntry(name, Buffer.allocUnsafe(entries.get(name)[1]));
            if (kept) data.push([name, kept]);
          }
        for (const [name, bytes] of fresh) data.push([name, bytes]);
        writeCache(file, data);
        cacheStats.written += compiled.length;
      } catch {
        // no cache next time, or the old one
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    },
  };
}

/** Writes the cache file whole: a temporary file renamed over it. */
function writeCache(file, data) {
  // The index's offsets count its own length: grow the guess until the digits fit.
  for (let width = 0; ;) {
    const prefix = (length) => `// oidclint code cache ${length}\n`;
    let at = prefix(width).length + width + 1;
    const index = JSON.stringify(
      data.map(([name, bytes]) => {
        const entry = [name, at, bytes.length];
        at += bytes.length;
        return entry;
      }),
    );
    if (Buffer.byteLength(index) !== width) {
      width = Buffer.byteLength(index);
      continue;
    }
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(
        temporary,
        Buffer.concat([Buffer.from(`${prefix(width)}${index}\n`), ...data.map(([, b]) => b)]),
        {
          mode: 0o600,
        },
      );
      fs.renameSync(temporary, file);
    } catch (e) {
      fs.rmSync(temporary, { force: true });
      throw e;
    }
    return;
  }
}

/**
 * A chunk's entry in the cache: its name, and the V8 flags the run set before loading it (the engine sets some
 * for large runs: src/engine/load-project.ts `setV8Flags`, which lists them here). V8 rejects code cached under
 * other flags, so a large run and a small one each keep their own entry instead of rewriting the file for each
 * other on every alternation.
 */
function cacheKey(name) {
  const flags = globalThis[Symbol.for("oidclint.v8Flags")];
  return typeof flags === "string" && flags !== "" ? `${name} ${flags}` : name;
}

/** Runs dist/cli/cli.js and returns its exports (`main`). */
function loadBundle() {
  const entry = path.join(BUNDLE, "cli.js");
  // The pack names the build; without one, cli.js's first line does.
  const pack = readPack();
  let entrySource;
  if (!pack) entrySource = fs.readFileSync(entry, "utf8");
  const dir = cacheDirectory(pack?.build ?? /^\/\/ oidclint build (\w+)\n/.exec(entrySource)?.[1] ?? "");
  const cache = dir && openCache(path.join(dir, "code.cache"));
  const modules = new Map();
  const toWrite = [];
  let outside;

  /** Runs the chunk `name` (relative to dist/cli, `/`-separated) once; returns its exports. */
  function load(name) {
    const known = modules.get(name);
    if (known) return known.exports;
    const file = path.join(BUNDLE, name);
    const module = { exports: {}, filename: file };
    modules.set(name, module);
    const key = cacheKey(name);
    const cachedData = cache?.read(key);
    const source =
      pack?.source(name) ?? wrap(name === "cli.js" && entrySource ? entrySource : fs.readFileSync(file, "utf8"));
    // V8 reads the data while it compiles: the buffer is free again when the constructor returns.
    const script = new vm.Script(source, { filename: file, cachedData });
    cacheStats.loaded++;
    if (cachedData !== undefined && !script.cachedDataRejected) cacheStats.accepted++;
    else if (cache) toWrite.push({ key, script, data: undefined });
    const require = (spec) => {
      if (!spec.startsWith("./") && !spec.startsWith("../")) return (outside ??= createRequire(entry))(spec);
      const chunk =
        resolveChunk(name, spec) ?? path.relative(BUNDLE, path.resolve(path.dirname(file), spec)).replace(/\\/g, "/");
      return load(chunk);
    };
    script.runInThisContext().call(module.exports, module.exports, require, module, file, path.dirname(file));
    return module.exports;
  }

  if (cache) {
    // A large run changes V8's flags (src/engine/load-project.ts `setV8Flags`), and V8 rejects code cached under
    // other flags: the data of the chunks compiled so far is taken just before the change, under the flags their
    // entries are keyed by (`cacheKey`). Taken at exit instead, it would be refused by the next large run, which
    // would compile those chunks from their source and write the file again, every time.
    globalThis[Symbol.for("oidclint.beforeV8Flags")] = () => {
      for (const entry of toWrite) entry.data ??= entry.script.createCachedData();
    };
    process.once("exit", () => cache.close(toWrite));
  }
  return load("cli.js");
}

module.exports = { loadBundle, cacheDirectory, cacheStats };
