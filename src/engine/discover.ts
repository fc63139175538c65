import { execFileSync } from "node:child_process";
import { realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { ALWAYS_IGNORED, INPUT_GLOBS, isInputPath, isTemplateOfAnotherTool } from "../parsers/index.js";
import { ConfigError } from "../config/load.js";
import { gitFilesWithoutGit } from "./git-files.js";
import { globMatcher, matchesAny } from "./glob.js";

export function toPosix(p: string): string {
  return sep === "/" ? p : p.split(sep).join("/");
}

/** Whether a path has no `.`/`..` segment, empty segment or trailing separator (as `resolve` returns them). */
function plainBelow(rest: string): boolean {
  return rest !== "" && !rest.includes(`${sep}${sep}`) && !rest.endsWith(sep) && !/(^|[\\/])\.\.?([\\/]|$)/.test(rest);
}

export function relPath(root: string, abs: string): string {
  // A path below the root as `resolve` writes it: its tail (100,000 files pay no `relative` each).
  const prefix = root.endsWith(sep) ? root : `${root}${sep}`;
  if (abs.startsWith(prefix) && isAbsolute(root)) {
    const rest = abs.slice(prefix.length);
    if (plainBelow(rest)) return toPosix(rest);
  }
  return toPosix(relative(root, abs)) || ".";
}

/**
 * `resolve(root, rel)` for an absolute root as `resolve` writes it and a root-relative path (`relPath`), without
 * normalising again a path that needs none (a report names hundreds of files).
 */
export function absolutePath(root: string, rel: string): string {
  if (sep === "/" && root !== "/" && isAbsolute(root) && !isAbsolute(rel) && plainBelow(rel)) return `${root}/${rel}`;
  return resolve(root, rel);
}

const GLOB_CHARS = /[*?{}[\]]/;

/**
 * The files of a directory that git does not ignore (tracked, and untracked but not ignored), relative to
 * it; undefined outside a git work tree or without git. git is the authority on `.gitignore` (nested files,
 * negations, `.git/info/exclude`, the global excludes file); in a plain repository its answer is read from the
 * index and the ignore files directly (src/engine/git-files.ts), else git is asked (one process, ~10 ms, where
 * globby's own `.gitignore` handling costs ~70 ms per 1,000 files); globby walks the other cases.
 */
const GIT_TIMEOUT_MS = 20_000;

function gitListing(dir: string, regular: Set<string>): string[] | undefined {
  const read = gitFilesWithoutGit(dir, regular);
  if (read) return read;
  try {
    const out = execFileSync("git", ["-C", dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 512 * 1024 * 1024,
      // git matches `.gitignore` patterns by backtracking: one from a pull request (`*a*a*a…b`) can keep it busy
      // for hours. Past this, the tree is walked without git, as outside a work tree.
      timeout: GIT_TIMEOUT_MS,
      killSignal: "SIGKILL",
    });
    return out.split("\0").filter((p) => p !== "");
  } catch {
    return undefined;
  }
}

/**
 * A regular expression every path one of the globs matches satisfies (undefined when some glob has no literal
 * part: then no path is ruled out): for each glob, its longest run of literal characters (`glob.ts`: `*`, `?`,
 * `[…]` and `{…}` are the only special forms). A `/` at either end of a run may be matched by `**` or stand at
 * the path's start or end, so it is not required itself: the run must then start (or end) the path or a segment
 * of it: the ignored `.git` directories require `.git` as a whole segment, which `.github/workflows/x.yml` does
 * not hold (its path is not run through the automaton).
 */
export function requiredPattern(globs: readonly string[]): RegExp | undefined {
  const pieces: string[] = [];
  for (const glob of globs) {
    const g = glob.replace(/^\.\//, "").replace(/^\//, "");
    let longest = 0;
    let best = "";
    let run = "";
    const end = (): void => {
      const piece = run.replace(/^\/+|\/+$/g, "");
      if (piece.length > longest) {
        longest = piece.length;
        const literal = piece.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        best = `${run.startsWith("/") ? "(?:^|/)" : ""}${literal}${run.endsWith("/") ? "(?:/|$)" : ""}`;
      }
      run = "";
    };
    for (let i = 0; i < g.length; i++) {
      const c = g.charAt(i);
      const close = c === "{" ? g.indexOf("}", i) : c === "[" ? g.indexOf("]", i + 1) : -1;
      if (c === "*" || c === "?") end();
      else if (close > i) {
        end();
        i = close;
      } else run += c;
    }
    end();
    if (best === "") return undefined;
    pieces.push(best);
  }
  return new RegExp(pieces.join("|"));
}

/** Whether `dir` (absolute, as `resolve` writes it) is its own real path: no link on the way to it. */
function isRealPath(dir: string): boolean {
  try {
    return realpathSync.native(dir) === dir;
  } catch {
    return false;
  }
}

/** A file discovery found. */
export interface DiscoveredFile {
  abs: string;
  /** Relative to the root, `/`-separated (`relPath`). */
  rel: string;
  /** The listing saw a regular file, not a link (`ReadOptions.listedRegular`); false when not known. */
  regular: boolean;
  /**
   * `abs` is the file's real path, and a regular file's: the listing walked to it from a directory that is its own
   * real path, through directories that are no links (src/engine/git-files.ts `walk`). The file is then really
   * inside every directory above it, so no confinement check can refuse it (`Files.read` in load-project.ts
   * reads it without one: `readListedReal`). False when not known.
   */
  real?: boolean;
}

/**
 * Expands command-line paths into input files, sorted by absolute path: directories are walked (`.gitignore`
 * honoured, tool folders skipped), files named explicitly are taken as they are, globs are expanded. A path that
 * does not exist is a usage error.
 */
export async function discover(paths: string[], root: string, ignore: string[]): Promise<DiscoveredFile[]> {
  const found = new Map<string, DiscoveredFile>();
  const add = (abs: string, rel: string, regular = false, real = false): void => {
    if (!found.has(abs)) found.set(abs, real ? { abs, rel, regular, real } : { abs, rel, regular });
  };
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
      add(abs, relPath(root, abs));
      continue;
    }
    if (isDir) dirs.push(abs);
    else {
      const rel = relPath(root, abs);
      if (!isTemplateOfAnotherTool(rel) && !matchesAny(rel, ignore)) add(abs, rel);
    }
  }
  const ignoreGlobs = [...ALWAYS_IGNORED, ...ignore];
  const ignoredByGlob = globMatcher(ignoreGlobs);
  // Most paths hold none of the globs' literal parts: they are not run through the automaton (2,000 paths of a
  // pre-commit `--context .` cost that much less). `{{` first: a path without one is no template.
  const required = requiredPattern(ignoreGlobs);
  const ignored = (rel: string): boolean =>
    (rel.includes("{{") && isTemplateOfAnotherTool(rel)) ||
    ((required === undefined || required.test(rel)) && ignoredByGlob(rel));
  for (const dir of [...dirs]) {
    const regular = new Set<string>();
    const listed = gitListing(dir, regular);
    if (!listed) continue;
    dirs.splice(dirs.indexOf(dir), 1);
    // git lists normalised `/`-separated paths relative to `dir`: joined to dir's own root-relative path
    // without resolving each one (100,000 files).
    const dirRel = relPath(root, dir);
    const prefix = dirRel === "." ? "" : `${dirRel}/`;
    const underRoot = !dirRel.startsWith("../") && dirRel !== ".." && !isAbsolute(dirRel);
    const native = (rel: string): string => (sep === "/" ? rel : rel.split("/").join(sep));
    const dirPrefix = dir.endsWith(sep) ? dir : `${dir}${sep}`;
    // The walk starts at the real path of `dir`: when that is `dir` itself, every path it saw as a regular file
    // below it is a real path (`DiscoveredFile.real`).
    const dirIsReal = regular.size > 0 && isRealPath(dir);
    for (let i = 0; i < listed.length; i++) {
      const rel = listed[i] as string;
      if (!isInputPath(rel)) continue;
      // git writes normalised relative paths: joined to the (resolved) directory as they are.
      const abs = plainBelow(native(rel)) ? dirPrefix + native(rel) : resolve(dir, rel);
      const fromRoot = underRoot ? prefix + rel : relPath(root, abs);
      if (ignored(fromRoot)) continue;
      const isRegular = regular.has(rel);
      add(abs, fromRoot, isRegular, isRegular && dirIsReal && abs.startsWith(dirPrefix));
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
      for (const f of await globby(INPUT_GLOBS, { ...options, cwd: dir })) {
        const rel = relPath(root, f);
        if (!ignored(rel)) add(resolve(f), rel);
      }
    }
    // Each glob on its own: one that matches no file is a mistake (a typo in CI would otherwise stay green).
    for (const glob of globs) {
      let matched = false;
      for (const f of await globby(glob, { ...options, cwd: root })) {
        const rel = relPath(root, resolve(root, f));
        if (!isInputPath(f) || ignored(rel)) continue;
        add(resolve(f), rel);
        matched = true;
      }
      if (!matched)
        throw new ConfigError(
          `No files matching the pattern "${glob}" were found (of the kinds oidclint reads, not ignored)`,
        );
    }
  }
  return [...found.values()].sort((a, b) => (a.abs < b.abs ? -1 : a.abs > b.abs ? 1 : 0));
}
