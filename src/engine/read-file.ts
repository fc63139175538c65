import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
  type Stats,
} from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

/**
 * The one way oidclint reads a file it did not write: inputs, files referenced by inputs (Terraform
 * `file()`/`templatefile()`), configs and `repositoriesFile`. Repository content is hostile input:
 * - only regular files are read: a FIFO, socket or device (also behind a symlink) is refused before it is
 *   opened, and opened with `O_NONBLOCK` and checked again, so nothing blocks or reads forever;
 * - at most `maxBytes` are read, counted while reading (`/proc` files and devices report size 0);
 * - with `confineTo`, a path whose real location (symlinks resolved) is outside that directory is refused.
 */

/** Files above this size are reported, not read (bounded cost on huge inputs). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export interface ReadOptions {
  /** The file must really be inside this directory: a symlink out of it is not followed. */
  confineTo?: string;
  maxBytes?: number;
  /**
   * The directory listing that found the file (src/engine/git-files.ts walks the tree with file types) saw a
   * regular file there, not a link, FIFO, socket or device: it is read without asking again (`listedText`).
   */
  listedRegular?: boolean;
}

export type ReadFailure = {
  problem: string;
  reason: "missing" | "special" | "outside" | "too-large" | "unreadable";
  /** For a file over the limit: its first bytes, to tell whether it was meant to be an input. */
  head?: Buffer;
};
export type BytesOutcome = { bytes: Buffer } | ReadFailure;
export type ReadOutcome =
  | { text: string }
  /** `lenient`: the start of a binary or invalid UTF-8 file, decoded anyway, to tell what the file was meant to be. */
  | { problem: string; line?: number; column?: number; reason?: ReadFailure["reason"]; lenient?: string }
  | { skip: true };

const ERRNO: Record<string, string> = {
  ELOOP: "symbolic link loop",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOENT: "no such file",
};

function cannotRead(e: unknown): ReadFailure {
  const code = (e as NodeJS.ErrnoException).code;
  const reason = code === "ENOENT" || code === "ENOTDIR" ? "missing" : "unreadable";
  return { problem: `cannot read file: ${code ? `${ERRNO[code] ?? "error"} (${code})` : String(e)}`, reason };
}

function specialKind(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isDirectory()) return "a directory";
  return "not a regular file";
}

const realDirs = new Map<string, string>();

/**
 * The real path of a directory, cached (every input of a directory shares it). A directory that is no link is
 * where its parent really is: one `lstat` per directory, where resolving each path whole costs one per ancestor
 * (a 700-directory tree of modules: 50 ms of a run).
 */
function realDir(dir: string): string {
  let real = realDirs.get(dir);
  if (real === undefined) {
    const parent = dirname(dir);
    try {
      real =
        parent !== dir && lstatSync(dir).isDirectory()
          ? join(realDir(parent), basename(dir))
          : realpathSync.native(dir);
    } catch {
      real = dir;
    }
    realDirs.set(dir, real);
  }
  return real;
}

/** By root, then directory: whether the directory is really inside the root. */
const dirsInside = new Map<string, Map<string, boolean>>();

/** Whether the real path of `dir` is inside the real path of `root`, cached per pair. */
function dirInside(dir: string, root: string): boolean {
  let dirs = dirsInside.get(root);
  if (!dirs) dirsInside.set(root, (dirs = new Map<string, boolean>()));
  let inside = dirs.get(dir);
  if (inside === undefined) {
    inside = isInside(realDir(root), realDir(dir));
    dirs.set(dir, inside);
  }
  return inside;
}

let lastDirectory = "";

/**
 * `dirname(abs)`, as the same string for consecutive paths of one directory (a sorted listing): the per-directory
 * caches then look up a string whose hash is known, and no new one is made per file.
 */
function directoryOf(abs: string): string {
  const dir = lastDirectory;
  const after = dir.length + 1;
  if (
    dir !== "" &&
    abs.length > after &&
    abs.startsWith(dir) &&
    abs.charAt(dir.length) === sep &&
    abs.indexOf(sep, after) < 0 &&
    (sep === "/" || abs.indexOf("/", after) < 0)
  )
    return dir;
  return (lastDirectory = dirname(abs));
}

export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

const EMPTY = Buffer.alloc(0);
const PROBE = Buffer.allocUnsafe(64 * 1024);

/** Reads a regular file's bytes within the limits; every failure is a value, never an exception or a wait. */
export function readBytes(abs: string, opts: ReadOptions = {}): BytesOutcome {
  const max = opts.maxBytes ?? MAX_FILE_BYTES;
  let link: Stats;
  try {
    link = lstatSync(abs);
  } catch (e) {
    return cannotRead(e);
  }
  if (opts.confineTo !== undefined) {
    let inside: boolean;
    try {
      // A file that is not a link is where its directory really is: one answer per directory.
      inside = link.isSymbolicLink()
        ? isInside(realDir(opts.confineTo), realpathSync(abs))
        : dirInside(directoryOf(abs), opts.confineTo);
    } catch (e) {
      return cannotRead(e);
    }
    if (!inside) return { problem: "symbolic link to a file outside the repository; not read", reason: "outside" };
  }
  let st = link;
  if (link.isSymbolicLink()) {
    try {
      st = statSync(abs);
    } catch (e) {
      return cannotRead(e);
    }
  }
  const special = specialKind(st);
  if (special)
    return {
      problem: `${special === "not a regular file" ? special : `is ${special}, not a regular file`}; not read`,
      reason: "special",
    };
  // An empty regular file (not a link) is not opened: 100,000 empty files cost one lstat each. Only a
  // pseudo file system mounted inside the repository (procfs) could hold content behind size 0, and then
  // nothing is read, which is safe.
  if (st === link && link.size === 0) return { bytes: EMPTY };
  let fd: number;
  try {
    // O_NONBLOCK: a file swapped for a FIFO between the check and the open must not block the run.
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return cannotRead(e);
  }
  try {
    const opened = fstatSync(fd);
    const kind = specialKind(opened);
    if (kind) return { problem: `is ${kind}, not a regular file; not read`, reason: "special" };
    if (opened.size > max) {
      const head = Buffer.allocUnsafe(HEAD_BYTES);
      return tooLarge(opened.size, max, head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0)));
    }
    // Read to the end, whatever the size said, but never past the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // What the size says plus one byte, to see the end; that last read, or one past a size that lied,
      // goes into a shared buffer: a file costs one allocation of its own size, not two of 64 KiB.
      const want = total < opened.size ? opened.size - total + 1 : 0;
      const chunk = want > 0 ? Buffer.allocUnsafe(Math.min(want, max + 1 - total)) : PROBE;
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, max + 1 - total), null);
      if (n === 0) break;
      chunks.push(chunk === PROBE ? Buffer.from(chunk.subarray(0, n)) : chunk.subarray(0, n));
      total += n;
      if (total > max) return tooLarge(total, max, Buffer.concat(chunks, Math.min(total, HEAD_BYTES)));
    }
    return { bytes: chunks.length === 1 ? (chunks[0] ?? EMPTY) : Buffer.concat(chunks, total) };
  } catch (e) {
    return cannotRead(e);
  } finally {
    closeSync(fd);
  }
}

/** How much of a file over the limit is read to tell what it is. */
const HEAD_BYTES = 64 * 1024;

function tooLarge(size: number, max: number, head: Buffer): ReadFailure {
  return {
    head,
    problem: `file is ${(size / 1048576).toFixed(1)} MiB, over the ${max / 1048576} MiB oidclint reads; not linted`,
    reason: "too-large",
  };
}

/** Reads an input file: bounded, regular files only, binary and invalid UTF-8 are problems. */
export function readInput(abs: string, opts: ReadOptions = {}): ReadOutcome {
  const text = opts.listedRegular === true ? listedText(abs, opts) : plainText(abs, opts);
  if (text !== undefined) return { text };
  const outcome = readBytes(abs, opts);
  if ("bytes" in outcome) return outcome.bytes.length === 0 ? { text: "" } : decodeInput(outcome.bytes);
  // A file git still lists but that was deleted from the work tree is simply not there.
  if (outcome.reason === "missing" && outcome.problem.endsWith("(ENOENT)")) return { skip: true };
  const { head, ...failure } = outcome;
  // A file over the limit is reported where its start shows an input (a policy `.json`), never skipped silently.
  return head ? { ...failure, lenient: new TextDecoder("utf-8").decode(head) } : failure;
}

// O_NOFOLLOW is 0 where the platform has none (Windows): `constants` leaves it out there.
const OPEN_PLAIN = constants.O_RDONLY | constants.O_NONBLOCK | ((constants as { O_NOFOLLOW?: number }).O_NOFOLLOW ?? 0);

/**
 * The common case of `readInput` in fewer system calls (a context of 1,000 files is read in half the time:
 * issue 13): a regular file that is no link, inside `confineTo`, within the size limit, read and decoded by
 * Node in one call. The file is refused before it is opened as in `readBytes` (the `lstat`); it is then
 * opened without following a link and without blocking, so a file swapped for a link or a FIFO since is not
 * followed and never waits (a device can only be put there by root). Undefined, and the file is read again
 * the careful way, for everything else: links, special and empty files, files over the limit, and texts
 * holding a NUL or a U+FFFD (binary or invalid UTF-8 reads as one; `decodeInput` tells which and where).
 */
function plainText(abs: string, opts: ReadOptions): string | undefined {
  try {
    const st = lstatSync(abs);
    if (!st.isFile() || st.size === 0 || st.size > (opts.maxBytes ?? MAX_FILE_BYTES)) return undefined;
    if (opts.confineTo !== undefined && !dirInside(directoryOf(abs), opts.confineTo)) return undefined;
    const text = readFileSync(abs, { encoding: "utf8", flag: OPEN_PLAIN });
    // Grown past the limit since the `lstat` (a text has at most as many characters as bytes).
    if (text.length > (opts.maxBytes ?? MAX_FILE_BYTES) || text.includes("\0")) return undefined;
    return plainDecoded(text);
  } catch {
    return undefined;
  }
}

/**
 * A text decoded by the fast paths, as `decodeInput` would give it: undefined when it holds a U+FFFD (invalid
 * UTF-8 reads as one: the careful way tells where); the decoder's byte order mark dropped, and a second one too.
 */
function plainDecoded(decoded: string): string | undefined {
  if (decoded.includes("\uFFFD")) return undefined;
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The buffer `listedText` reads into (a text is decoded out of it): no allocation of its own per file. */
const LISTED_READ = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * `plainText` for a file the listing saw as a regular file (`ReadOptions.listedRegular`): three system calls
 * (open, read, close) instead of five (lstat, open, read, read, close), into one reused buffer, with only the
 * text decoded from it allocated (issue 13: the per-file cost of a pre-commit `--context .` and of a large run).
 * What the `lstat` proved is either known from the listing or proved again:
 * - a link put there since is not followed (`O_NOFOLLOW`: the open fails, the careful way reports it);
 * - nothing waits (`O_NONBLOCK`): a FIFO put there since reads as empty or fails; a device only root can make;
 * - the size limit holds without knowing the size: a file that fills the buffer (64 KiB, or more than
 *   `maxBytes`) is read again the careful way, which checks its size first;
 * - a read that does not fill the buffer ended at the end of the file (file systems return short reads of a
 *   regular file only there), so the text is whole.
 * As in `plainText`, texts holding a NUL or a U+FFFD are left to the careful way (it tells which and where).
 */
function listedText(abs: string, opts: ReadOptions): string | undefined {
  if (opts.confineTo !== undefined && !dirInside(directoryOf(abs), opts.confineTo)) return undefined;
  let fd: number;
  try {
    fd = openSync(abs, OPEN_PLAIN);
  } catch {
    return undefined;
  }
  try {
    const n = readSync(fd, LISTED_READ, 0, LISTED_READ.length, null);
    if (n >= LISTED_READ.length || n > (opts.maxBytes ?? MAX_FILE_BYTES)) return undefined;
    // Decoded straight out of the buffer; a NUL byte is a U+0000 in the text, and nothing else decodes to one.
    const text = LISTED_READ.toString("utf8", 0, n);
    if (text.includes("\0")) return undefined;
    return plainDecoded(text);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * `listedText` for a file whose path the listing proved to be its real path (`DiscoveredFile.real`: walked to
 * through directories that are no links, from a directory that is its own real path), with no confinement
 * check: such a file is really inside every directory above it, whichever one the caller confines reads to. A
 * file swapped for a link since is not followed (`O_NOFOLLOW`); undefined, and the caller reads the file the
 * careful way (`readInput` with its confinement), for everything `listedText` leaves to it.
 */
export function readListedReal(abs: string): string | undefined {
  return listedText(abs, {});
}

/** Reads a text file for a caller that only needs the text (or undefined, whatever went wrong). */
export function readTextFile(abs: string, opts: ReadOptions = {}): string | undefined {
  const outcome = readInput(abs, opts);
  return "text" in outcome ? outcome.text : undefined;
}

/** The enclosing git work tree of each directory asked about; `null`: none up to the file system root. */
const confinementRoots = new Map<string, string | null>();

/**
 * The directory a path's symlinks must stay inside: the nearest enclosing git work tree, else `fallback`
 * when the path is inside it, else the path's own directory. The work tree (or its absence) is looked up
 * once per directory: outside a work tree, 1,700 files in a few directories cost a few `lstat`s, not one
 * per ancestor per file.
 */
export function confinementRoot(abs: string, fallback: string): string {
  const start = directoryOf(abs);
  const root = workTreeOf(start);
  if (root !== null) return root;
  return isInside(fallback, abs) ? fallback : start;
}

function workTreeOf(start: string): string | null {
  let cur = start;
  const visited: string[] = [];
  let root: string | null = null;
  for (;;) {
    const cached = confinementRoots.get(cur);
    if (cached !== undefined) {
      root = cached;
      break;
    }
    visited.push(cur);
    try {
      lstatSync(join(cur, ".git"));
      root = cur;
      break;
    } catch {
      // not here
    }
    const parent = dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of visited) confinementRoots.set(d, root);
  return root;
}

/** The environment's reader for files an input references (Terraform `file()`): relative to `root`, confined to its repository. */
export function referencedFileReader(root: string): (rel: string) => string | undefined {
  return (rel) => {
    const abs = resolve(root, rel);
    return readTextFile(abs, { confineTo: confinementRoot(join(root, "x"), root) });
  };
}

const decoder = new TextDecoder("utf-8", { fatal: true });

export function decodeInput(buf: Uint8Array): ReadOutcome {
  const head = (): string => new TextDecoder("utf-8").decode(buf.subarray(0, 64 * 1024));
  if (buf.subarray(0, 8192).includes(0))
    return { problem: "file is binary (contains NUL bytes), not a text input", lenient: head() };
  try {
    return { text: decoder.decode(buf).replace(/^\uFEFF/, "") };
  } catch {
    // Where the first bad byte is: decode leniently and find the first replacement character.
    const lenient = new TextDecoder("utf-8").decode(buf);
    const at = lenient.indexOf("\uFFFD");
    const before = lenient.slice(0, Math.max(0, at));
    const line = before.split("\n").length;
    const column = at - before.lastIndexOf("\n");
    return {
      problem: "file is not valid UTF-8 (save it as UTF-8)",
      line,
      column,
      lenient: lenient.slice(0, 64 * 1024),
    };
  }
}
