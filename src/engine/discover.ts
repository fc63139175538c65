import { execFileSync } from "node:child_process";
import { closeSync, fstatSync, openSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { ALWAYS_IGNORED, INPUT_GLOBS, isInputPath } from "../parsers/index.js";
import { ConfigError } from "../config/load.js";
import { globMatcher, matchesAny } from "./glob.js";

/** Files above this size are reported, not read (bounded cost on huge inputs). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export function toPosix(p: string): string {
  return sep === "/" ? p : p.split(sep).join("/");
}

export function relPath(root: string, abs: string): string {
  return toPosix(relative(root, abs)) || ".";
}

const GLOB_CHARS = /[*?{}[\]]/;

/**
 * The files of a directory that git does not ignore (tracked, and untracked but not ignored), relative to
 * it; undefined outside a git work tree or without git. git is the authority on `.gitignore` (nested files,
 * negations, `.git/info/exclude`, the global excludes file), and asking it costs one process (~10 ms)
 * where globby's own `.gitignore` handling costs ~70 ms per 1,000 files; globby walks the other cases.
 */
function gitListing(dir: string): string[] | undefined {
  try {
    const out = execFileSync("git", ["-C", dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 512 * 1024 * 1024,
    });
    return out.split("\0").filter((p) => p !== "");
  } catch {
    return undefined;
  }
}

/**
 * Expands command-line paths into input files: directories are walked (`.gitignore` honoured, tool
 * folders skipped), files named explicitly are taken as they are, globs are expanded. A path that
 * does not exist is a usage error.
 */
export async function discover(paths: string[], root: string, ignore: string[]): Promise<string[]> {
  const found = new Set<string>();
  const dirs: string[] = [];
  const globs: string[] = [];
  for (const p of paths) {
    const abs = isAbsolute(p) ? p : resolve(root, p);
    let isDir = false;
    try {
      isDir = statSync(abs).isDirectory();
    } catch (e) {
      if (GLOB_CHARS.test(p)) {
        globs.push(toPosix(p));
        continue;
      }
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") throw new ConfigError(`No such file or directory: ${p}`);
      // A symlink loop or an unreadable file named explicitly: reading it reports the problem on it.
      found.add(abs);
      continue;
    }
    if (isDir) dirs.push(abs);
    else if (!matchesAny(relPath(root, abs), ignore)) found.add(abs);
  }
  const ignored = globMatcher([...ALWAYS_IGNORED, ...ignore]);
  for (const dir of [...dirs]) {
    const listed = gitListing(dir);
    if (!listed) continue;
    dirs.splice(dirs.indexOf(dir), 1);
    for (const rel of listed) {
      if (!isInputPath(rel)) continue;
      const abs = resolve(dir, rel);
      if (!ignored(relPath(root, abs))) found.add(abs);
    }
  }
  if (dirs.length > 0 || globs.length > 0) {
    const { globby } = await import("globby");
    const options = {
      absolute: true,
      dot: true,
      onlyFiles: true,
      followSymbolicLinks: false,
      gitignore: true,
      suppressErrors: true,
      // The config's own globs are matched below by oidclint's linear matcher: globby's regular expressions
      // backtrack on hostile patterns (`*a*a*a…b`).
      ignore: ALWAYS_IGNORED,
    };
    for (const dir of dirs) {
      for (const f of await globby(INPUT_GLOBS, { ...options, cwd: dir })) if (!ignored(relPath(root, f))) found.add(resolve(f));
    }
    if (globs.length > 0) {
      for (const f of await globby(globs, { ...options, cwd: root })) {
        if (isInputPath(f) && !ignored(relPath(root, resolve(root, f)))) found.add(resolve(f));
      }
    }
  }
  return [...found].sort();
}

const ERRNO: Record<string, string> = { ELOOP: "symbolic link loop", EACCES: "permission denied", EISDIR: "is a directory", ENOENT: "no such file" };

function cannotRead(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return `cannot read file: ${code ? `${ERRNO[code] ?? "error"} (${code})` : String(e)}`;
}

export type ReadOutcome = { text: string } | { problem: string; line?: number; column?: number } | { skip: true };

/** Reads a file with a size bound; binary and invalid UTF-8 are problems, never exceptions. */
export function readInput(abs: string): ReadOutcome {
  let fd: number;
  try {
    fd = openSync(abs, "r");
  } catch (e) {
    // A file git still lists but that was deleted from the work tree is simply not there.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { skip: true };
    return { problem: cannotRead(e) };
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_FILE_BYTES) return { problem: `file is ${(size / 1048576).toFixed(1)} MiB, over the ${MAX_FILE_BYTES / 1048576} MiB oidclint reads; not linted` };
    return decodeInput(readFileSync(fd));
  } catch (e) {
    return { problem: cannotRead(e) };
  } finally {
    closeSync(fd);
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });

export function decodeInput(buf: Uint8Array): ReadOutcome {
  if (buf.subarray(0, 8192).includes(0)) return { problem: "file is binary (contains NUL bytes), not a text input" };
  try {
    return { text: decoder.decode(buf).replace(/^\uFEFF/, "") };
  } catch {
    // Where the first bad byte is: decode leniently and find the first replacement character.
    const lenient = new TextDecoder("utf-8").decode(buf);
    const at = lenient.indexOf("\uFFFD");
    const before = lenient.slice(0, Math.max(0, at));
    const line = before.split("\n").length;
    const column = at - before.lastIndexOf("\n");
    return { problem: "file is not valid UTF-8 (save it as UTF-8)", line, column };
  }
}
