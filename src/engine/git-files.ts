import {
  type Dirent,
  accessSync,
  constants,
  lstatSync,
  readFileSync,
  readdirSync,
  realpathSync,
  statSync,
} from "node:fs";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { ANY, NOT_SLASH, type WildcardPiece, compileWildcard } from "./glob.js";

/**
 * What `git -C DIR ls-files -z --cached --others --exclude-standard` prints (src/engine/discover.ts), found without
 * running git: the paths of git's index under DIR, and the files under DIR that are neither in the index nor
 * ignored (`.gitignore` files, `.git/info/exclude`, the user's excludes file), relative to DIR. Starting a process
 * (and Node's child_process with its streams) is most of a one-workflow `explain` and a good part of a pre-commit
 * `--context .` run (issue 13).
 *
 * It answers only where it can be sure to answer as git would, and returns undefined everywhere else, so that the
 * caller asks git itself: environment variables that move the repository, its index or its configuration; a work
 * tree whose `.git` is a file (linked worktrees, submodules), another user's repository, a bare one, or one found
 * across a file system boundary; configuration that changes how paths are matched or which index is read
 * (`core.ignoreCase`, `core.worktree`, sparse checkouts, split or sparse indexes, repository extensions,
 * `include`s); index entries git would read `.gitignore` from (skip-worktree); an index format it does not know;
 * a `.gitignore` that is a symbolic link, a nested `.git` file, a `[:class:]` in a pattern; a name that is not UTF-8;
 * and no `git` on the PATH (then discovery walks the tree without git, as before).
 *
 * Ignore rules as gitignore(5) gives them: per-directory `.gitignore` files win over `info/exclude`, which wins
 * over `core.excludesFile` (default `$XDG_CONFIG_HOME/git/ignore`); within one, the last matching pattern decides;
 * `!` re-includes, except below an excluded directory; a trailing `/` matches directories only; a pattern without
 * another `/` matches the name at any depth, one with a `/` is anchored to its `.gitignore`'s directory; `*`, `?`
 * and `[…]` do not match `/`; `**` at the start, at the end or between slashes crosses directories. Patterns
 * and names are compared as bytes (UTF-8), as git does.
 */
export function gitFilesWithoutGit(dir: string, regular?: Set<string>): string[] | undefined {
  try {
    return listing(dir, regular);
  } catch (e) {
    if (e instanceof Unsure) return undefined;
    // A file system error (a directory that went away, no permission): let git say what it makes of it.
    return undefined;
  }
}

class Unsure extends Error {}
function unsure(): never {
  throw new Unsure();
}

/** Environment variables that do not change what `ls-files` lists (any other `GIT_*` one might). */
const HARMLESS_GIT_ENV =
  /^GIT_(SSL_|SSH|HTTP_|ASKPASS$|TERMINAL_PROMPT$|AUTHOR_|COMMITTER_|PAGER$|EDITOR$|SEQUENCE_EDITOR$|MERGE_|TRACE|REDACT_|PROXY_|CURL_|PROTOCOL|ALLOW_PROTOCOL$|EXEC_PATH$|TEMPLATE_DIR$|REFLOG_ACTION$|LFS_)/;

/** `regular`, when given, receives the listed paths the walk saw as regular files (not links): see `walk`. */
function listing(start: string, regular: Set<string> | undefined): string[] | undefined {
  const env = process.env;
  for (const name of Object.keys(env)) if (name.startsWith("GIT_") && !HARMLESS_GIT_ENV.test(name)) return undefined;
  if (!gitOnPath(env)) return undefined;
  // git works in the physical directory (`-C` is a chdir).
  const dir = realpathSync.native(start);
  const repo = findRepository(dir);
  const config = readConfigs(repo.gitDir, env);
  if (repo.top === "/") unsure();
  const prefix = dir === repo.top ? "" : `${dir.slice(repo.top.length + 1)}/`;
  const index = readIndex(join(repo.gitDir, "index"), prefix);
  const out: string[] = [];
  for (const name of index.names) out.push(name.slice(prefix.length));
  const rules = new IgnoreRules(repo.top, repo.gitDir, config.excludesFile);
  // Untracked files are listed only below leading directories git does not ignore.
  let rel = "";
  for (const part of prefix === "" ? [] : prefix.slice(0, -1).split("/")) {
    rules.enter(rel, "unknown");
    rel = rel === "" ? part : `${rel}/${part}`;
    // Below an ignored directory every untracked file is ignored (tracked ones are listed above).
    if (rules.excluded(rel, true)) return out;
  }
  walk(repo.top, rel, true, prefix, { index, rules, out, regular });
  return out;
}

function gitOnPath(env: NodeJS.ProcessEnv): boolean {
  if (process.platform === "win32") return false;
  for (const d of (env.PATH ?? "").split(delimiter)) {
    if (d === "" || !isAbsolute(d)) continue;
    // Looked up without an exception per directory where git is not (Node builds an Error for each).
    if (!statSync(join(d, "git"), { throwIfNoEntry: false })) continue;
    try {
      accessSync(join(d, "git"), constants.X_OK);
      return true;
    } catch {
      // not executable here
    }
  }
  return false;
}

interface Repository {
  top: string;
  gitDir: string;
}

/** The work tree holding `dir` and its `.git` directory, found as git finds them; Unsure where git might differ. */
function findRepository(dir: string): Repository {
  const device = statSync(dir).dev;
  for (let d = dir; ;) {
    const dotGit = join(d, ".git");
    const st = lstatSync(dotGit, { throwIfNoEntry: false });
    if (st) {
      if (!st.isDirectory() || !isGitDirectory(dotGit)) unsure();
      const own = process.geteuid?.();
      if (own === undefined || (own === 0 && process.env.SUDO_UID !== undefined)) unsure();
      if (st.uid !== own || statSync(d).uid !== own) unsure();
      return { top: d, gitDir: dotGit };
    }
    // A directory that is itself a git directory (bare, or inside .git): git would refuse or differ.
    if (lstatSync(join(d, "HEAD"), { throwIfNoEntry: false })) unsure();
    const parent = dirname(d);
    if (parent === d || statSync(parent).dev !== device) unsure();
    d = parent;
  }
}

function isGitDirectory(gitDir: string): boolean {
  const head = readFileSync(join(gitDir, "HEAD"), "latin1");
  if (!/^(ref: refs\/\S+|[0-9a-f]{40})\n?$/.test(head)) return false;
  if (lstatSync(join(gitDir, "commondir"), { throwIfNoEntry: false })) return false;
  return statSync(join(gitDir, "objects")).isDirectory() && statSync(join(gitDir, "refs")).isDirectory();
}

/** The configuration that matters here, from the system, global and repository files (later ones win). */
function readConfigs(gitDir: string, env: NodeJS.ProcessEnv): { excludesFile: string | undefined } {
  const home = env.HOME;
  const xdg = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : home ? join(home, ".config") : undefined;
  const files = ["/etc/gitconfig", xdg && join(xdg, "git", "config"), home && join(home, ".gitconfig")];
  // Other builds keep the system file elsewhere: with one of those present, git's answer is not known here.
  for (const other of ["/usr/local/etc/gitconfig", "/opt/homebrew/etc/gitconfig", "/usr/etc/gitconfig"])
    if (lstatSync(other, { throwIfNoEntry: false })) unsure();
  const values = new Map<string, string | true>();
  for (const file of [...files, join(gitDir, "config")]) {
    if (!file) continue;
    if (!lstatSync(file, { throwIfNoEntry: false })) continue;
    const text = readFileSync(file, "utf8");
    for (const [key, value] of parseGitConfig(text)) values.set(key, value);
  }
  for (const [key, value] of values) {
    if (/^(include|includeif)\./.test(key) || key.startsWith("extensions.")) unsure();
    if (/^core\.(worktree)$/.test(key)) unsure();
    if (
      /^(core\.(bare|ignorecase|precomposeunicode|sparsecheckout|splitindex)|index\.sparse)$/.test(key) &&
      bool(value)
    )
      unsure();
    if (key === "core.repositoryformatversion" && !/^[01]$/.test(String(value))) unsure();
  }
  const excludes = values.get("core.excludesfile");
  if (excludes === true) unsure();
  if (excludes !== undefined) {
    if (excludes.startsWith("~/") && home) return { excludesFile: join(home, excludes.slice(2)) };
    if (!isAbsolute(excludes)) unsure();
    return { excludesFile: excludes };
  }
  return { excludesFile: xdg ? join(xdg, "git", "ignore") : undefined };
}

function bool(value: string | true): boolean {
  if (value === true) return true;
  const v = value.toLowerCase();
  if (v === "true" || v === "yes" || v === "on") return true;
  if (v === "false" || v === "no" || v === "off" || v === "") return false;
  if (/^-?\d+$/.test(v)) return Number(v) !== 0;
  return unsure();
}

/**
 * `section.key` (`section.subsection.key`) → value of a git config file, `true` for a key without `=`; names
 * lower-cased, subsections as written. Unsure on anything this reading does not know (it never guesses).
 */
export function parseGitConfig(text: string): [string, string | true][] {
  const out: [string, string | true][] = [];
  let section: string | undefined;
  const lines = text.replace(/^\uFEFF/, "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/\r$/, "");
    const head = /^\s*\[([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\]\s*(?:[#;].*)?$/.exec(line);
    if (head) {
      const name = (head[1] ?? "").toLowerCase();
      section = head[2] !== undefined ? `${name}.${head[2].replace(/\\(.)/g, "$1")}` : name;
      continue;
    }
    if (/^\s*([#;].*)?$/.test(line)) continue;
    const variable = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*(=)?(.*)$/.exec(line);
    if (!variable || section === undefined) unsure();
    const key = `${section}.${(variable[1] ?? "").toLowerCase()}`;
    if (variable[2] === undefined) {
      if (!/^\s*([#;].*)?$/.test(variable[3] ?? "")) unsure();
      out.push([key, true]);
      continue;
    }
    let raw = variable[3] ?? "";
    // A backslash at the end of the line continues the value on the next one.
    while (/(^|[^\\])(\\\\)*\\$/.test(raw) && i + 1 < lines.length) {
      raw = raw.slice(0, -1) + (lines[++i] ?? "").replace(/\r$/, "");
    }
    out.push([key, configValue(raw)]);
  }
  return out;
}

function configValue(raw: string): string {
  let out = "";
  let quoted = false;
  let pendingSpace = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charAt(i);
    if (!quoted && (c === "#" || c === ";")) break;
    if (!quoted && (c === " " || c === "\t")) {
      if (out !== "") pendingSpace += c;
      continue;
    }
    out += pendingSpace;
    pendingSpace = "";
    if (c === '"') quoted = !quoted;
    else if (c === "\\") {
      const n = raw.charAt(++i);
      if (n === "n") out += "\n";
      else if (n === "t") out += "\t";
      else if (n === "b") out = out.slice(0, -1);
      else if (n === "\\" || n === '"') out += n;
      else unsure();
    } else out += c;
  }
  if (quoted) unsure();
  return out;
}

interface Index {
  /** The paths of the index below the directory asked about (all stages), UTF-8 decoded. */
  names: string[];
  /** Directories holding an index entry (`a`, `a/b` for `a/b/c`). */
  directories: Set<string>;
  /** Submodules (gitlinks): git does not look into them for untracked files. */
  gitlinks: Set<string>;
  /** Paths of the index: such a file is listed as cached, not as untracked. */
  files: Set<string>;
}

/**
 * The entries of the index (gitformat-index(5), versions 2 to 4, SHA-1) whose path starts with `prefix` (a
 * directory's path relative to the work tree with its slash, or ""); Unsure on anything else. The other entries
 * are only stepped over: a run in a subdirectory of a large repository decodes none of them.
 */
export function readIndex(file: string, prefix: string): Index {
  const index: Index = { names: [], directories: new Set(), gitlinks: new Set(), files: new Set() };
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return index;
    throw e;
  }
  const HASH = 20;
  // Bytes are read directly: Buffer's own methods validate their arguments on every call, which costs more
  // than the whole walk over a large index.
  const byte = (at: number): number => buf[at] ?? 0;
  const u32 = (at: number): number =>
    ((byte(at) << 24) | (byte(at + 1) << 16) | (byte(at + 2) << 8) | byte(at + 3)) >>> 0;
  if (buf.length < 12 + HASH || byte(0) !== 0x44 || byte(1) !== 0x49 || byte(2) !== 0x52 || byte(3) !== 0x43) unsure();
  const version = u32(4);
  if (version < 2 || version > 4) unsure();
  const count = u32(8);
  const end = buf.length - HASH;
  const want = Buffer.from(prefix, "utf8");
  /** Where the NUL after a name starting at `from` is: its length is in the flags unless it is 0xfff or more. */
  const nulAfter = (from: number, length: number): number => {
    const nul = length < 0xfff ? from + length : buf.indexOf(0, from);
    if (nul < from || nul >= end || byte(nul) !== 0) unsure();
    return nul;
  };
  let at = 12;
  const first = want[0];
  const take = (entry: number, source: Buffer, start: number, stop: number): void => {
    if (stop === start) unsure();
    const gitlink = (byte(entry + 26) & 0xf0) === 0xe0;
    let same = 0;
    const limit = Math.min(want.length, stop - start);
    while (same < limit && source[start + same] === want[same]) same++;
    if (same < want.length) {
      // The directory asked about is (inside) a submodule: git lists the submodule as `./`; not repeated here.
      if (gitlink && same === stop - start && want[same] === 0x2f) unsure();
      return;
    }
    const path = source.toString("utf8", start, stop);
    if (path.includes("\uFFFD")) unsure();
    index.names.push(path);
    index.files.add(path);
    if (gitlink) index.gitlinks.add(path);
    for (let slash = path.lastIndexOf("/"); slash > 0; slash = path.lastIndexOf("/", slash - 1)) {
      const d = path.slice(0, slash);
      if (index.directories.has(d)) break;
      index.directories.add(d);
    }
  };
  if (version !== 4) {
    // The common case, kept to plain arithmetic on bytes: it runs once per entry of the whole index, before any
    // of it is compiled (a cold run interprets it).
    for (let n = 0; n < count; n++) {
      const entry = at;
      if (at + 62 > end) unsure();
      const flags = ((buf[at + 60] as number) << 8) | (buf[at + 61] as number);
      let pos = at + 62;
      if (flags & 0x4000) {
        if (version < 3 || pos + 2 > end) unsure();
        // skip-worktree: git may read such a `.gitignore` from the index, and the tree is sparse.
        if ((buf[pos] as number) & 0x40) unsure();
        pos += 2;
      }
      const nul = nulAfter(pos, flags & 0xfff);
      // Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
      at += (nul - at + 8) & ~7;
      if (at > end) unsure();
      // Most entries are not below the directory (or are, when it is the top): only those are looked at.
      if (first === undefined || buf[pos] === first || (byte(entry + 26) & 0xf0) === 0xe0) take(entry, buf, pos, nul);
    }
  } else {
    // Version 4 writes each name as the previous one less some bytes plus a suffix: the name is kept here.
    let name = Buffer.alloc(4096);
    let nameLength = 0;
    for (let n = 0; n < count; n++) {
      const entry = at;
      if (at + 62 > end) unsure();
      const flags = (byte(at + 60) << 8) | byte(at + 61);
      let pos = at + 62;
      if (flags & 0x4000) {
        if (pos + 2 > end) unsure();
        if (byte(pos) & 0x40) unsure();
        pos += 2;
      }
      let strip = 0;
      let b: number;
      let varintStart = true;
      do {
        if (pos >= end) unsure();
        b = byte(pos++);
        strip = varintStart ? b & 0x7f : ((strip + 1) << 7) | (b & 0x7f);
        varintStart = false;
      } while (b & 0x80);
      if (strip > nameLength) unsure();
      const kept = nameLength - strip;
      const full = flags & 0xfff;
      const nul = nulAfter(pos, full < 0xfff ? full - kept : 0xfff);
      if (kept + nul - pos > name.length) {
        const grown = Buffer.alloc(2 * (kept + nul - pos));
        for (let i = 0; i < kept; i++) grown[i] = name[i] ?? 0;
        name = grown;
      }
      for (let i = pos; i < nul; i++) name[kept + i - pos] = byte(i);
      nameLength = kept + nul - pos;
      at = nul + 1;
      take(entry, name, 0, nameLength);
    }
  }
  // Extensions: optional ones (an upper-case first letter) are caches; a split or sparse index changes the entries.
  while (at < end) {
    if (at + 8 > end) unsure();
    if (byte(at) < 0x41 || byte(at) > 0x5a) unsure();
    at += 8 + u32(at + 4);
  }
  if (at !== end) unsure();
  return index;
}

/** One pattern of an ignore file: `test` is given the path relative to the file's directory (`base`), as bytes. */
interface Pattern {
  negative: boolean;
  directoryOnly: boolean;
  /** No `/` but a trailing one: matched against the name alone, at any depth. */
  basename: boolean;
  test: (s: string) => boolean;
}

interface PatternList {
  /** Directory of the ignore file relative to the work tree, with a trailing `/` ("" at the top). */
  base: string;
  patterns: Pattern[];
}

class IgnoreRules {
  /** `.gitignore` pattern lists by directory (relative path, "" for the top), read when entered. */
  private readonly perDirectory = new Map<string, PatternList | undefined>();
  private readonly global: PatternList[];

  constructor(
    private readonly top: string,
    gitDir: string,
    excludesFile: string | undefined,
  ) {
    // info/exclude wins over the excludes file: it is asked first.
    this.global = [join(gitDir, "info", "exclude"), excludesFile]
      .map((f) => (f === undefined ? undefined : readPatterns(f, "")))
      .filter((l): l is PatternList => l !== undefined);
  }

  /**
   * Reads the `.gitignore` of a directory git walks into (`rel` relative to the work tree), which its listing
   * says is a regular file, is not there, or is something else (git does not follow a link there, and warns;
   * not repeated here), or that was not listed.
   */
  enter(rel: string, ignoreFile: "file" | "none" | "other" | "unknown"): void {
    if (this.perDirectory.has(rel)) return;
    const base = rel === "" ? "" : `${rel}/`;
    const file = `${this.top}/${base}.gitignore`;
    let kind = ignoreFile;
    if (kind === "unknown") {
      const st = lstatSync(file, { throwIfNoEntry: false });
      kind = st === undefined ? "none" : st.isFile() ? "file" : "other";
    }
    if (kind === "other") unsure();
    const list = kind === "none" ? undefined : readPatterns(file, base);
    this.perDirectory.set(rel, list);
    // The lists that hold a pattern, deepest first, for the paths in this directory (none: nothing is ignored).
    const parent = rel === "" ? this.global.filter((l) => l.patterns.length > 0) : this.chains.get(parentOf(rel));
    if (parent) this.chains.set(rel, list && list.patterns.length > 0 ? [list, ...parent] : parent);
  }

  private readonly chains = new Map<string, PatternList[]>();

  /** Whether a pattern may apply to the paths in the directory `rel` (entered): false when no ignore file above it holds one. */
  apply(rel: string): boolean {
    return this.chains.get(rel)?.length !== 0;
  }

  /** Whether git ignores `rel` itself (its parents are not looked at: the walk does not enter ignored ones). */
  excluded(rel: string, isDirectory: boolean): boolean {
    // Most directories of most repositories are under no pattern at all.
    if (!this.apply(parentOf(rel))) return false;
    const bytes = asBytes(rel);
    const slash = bytes.lastIndexOf("/");
    const name = bytes.slice(slash + 1);
    // The deepest .gitignore first, then the ones above it, then info/exclude and the excludes file.
    for (let dir = slash < 0 ? "" : rel.slice(0, rel.lastIndexOf("/")); ;) {
      const list = this.perDirectory.get(dir);
      const decided = list && decide(list, bytes, name, isDirectory);
      if (decided !== undefined) return decided;
      if (dir === "") break;
      const up = dir.lastIndexOf("/");
      dir = up < 0 ? "" : dir.slice(0, up);
    }
    for (const list of this.global) {
      const decided = decide(list, bytes, name, isDirectory);
      if (decided !== undefined) return decided;
    }
    return false;
  }
}

function parentOf(rel: string): string {
  const slash = rel.lastIndexOf("/");
  return slash < 0 ? "" : rel.slice(0, slash);
}

/** The last pattern of `list` that matches decides: excluded (true), re-included (false), or none (undefined). */
function decide(list: PatternList, path: string, name: string, isDirectory: boolean): boolean | undefined {
  const base = asBytes(list.base);
  for (let i = list.patterns.length - 1; i >= 0; i--) {
    const p = list.patterns[i];
    if (!p || (p.directoryOnly && !isDirectory)) continue;
    if (p.basename) {
      if (p.test(name)) return !p.negative;
    } else if (path.startsWith(base) && path.length > base.length && p.test(path.slice(base.length))) {
      return !p.negative;
    }
  }
  return undefined;
}

/** A string whose characters are the UTF-8 bytes of `s` (s itself when it is ASCII). */
function asBytes(s: string): string {
  return /[^\x00-\x7f]/.test(s) ? Buffer.from(s, "utf8").toString("latin1") : s;
}

function readPatterns(file: string, base: string): PatternList | undefined {
  if (!statSync(file, { throwIfNoEntry: false })) return undefined;
  return { base, patterns: parseIgnoreFile(readFileSync(file)) };
}

/** The patterns of an ignore file (gitignore(5)), in order. */
export function parseIgnoreFile(buf: Buffer): Pattern[] {
  let text = buf.toString("latin1");
  if (text.startsWith("\xEF\xBB\xBF")) text = text.slice(3);
  const patterns: Pattern[] = [];
  for (let line of text.split("\n")) {
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line === "" || line.startsWith("#")) continue;
    const pattern = compilePattern(trimTrailingSpaces(line));
    if (pattern) patterns.push(pattern);
  }
  return patterns;
}

/** Trailing spaces go unless escaped with a backslash. */
function trimTrailingSpaces(line: string): string {
  let lastSpace = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === " ") {
      if (lastSpace < 0) lastSpace = i;
    } else if (c === "\\") {
      i++;
      if (i >= line.length) return line;
      lastSpace = -1;
    } else lastSpace = -1;
  }
  return lastSpace < 0 ? line : line.slice(0, lastSpace);
}

/** One line of an ignore file as a pattern; undefined for one that matches nothing. */
export function compilePattern(line: string): Pattern | undefined {
  let p = line;
  const negative = p.startsWith("!");
  if (negative) p = p.slice(1);
  const directoryOnly = p.endsWith("/");
  if (directoryOnly) p = p.slice(0, -1);
  if (p === "") return undefined;
  const basename = !p.includes("/");
  if (!basename && p.startsWith("/")) p = p.slice(1);
  const pieces = globPieces(p);
  return { negative, directoryOnly, basename, test: pieces === undefined ? () => false : compileWildcard(pieces) };
}

/**
 * A wildcard pattern as pieces of an automaton over byte strings (src/engine/glob.ts: linear in the path, where
 * a regular expression would backtrack on `*a*a*a…b` from a pull request's `.gitignore`); undefined where git
 * would match nothing.
 */
function globPieces(p: string): WildcardPiece[] | undefined {
  const out: WildcardPiece[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p.charAt(i);
    if (c === "\\") {
      if (i + 1 >= p.length) return undefined;
      out.push(literal(p.charAt(++i)));
    } else if (c === "?") out.push({ kind: "one", test: NOT_SLASH });
    else if (c === "*") {
      let j = i;
      while (p.charAt(j + 1) === "*") j++;
      const double = j > i;
      const after = p.charAt(j + 1) === "/" || (p.charAt(j + 1) === "\\" && p.charAt(j + 2) === "/");
      if (double && (i === 0 || p.charAt(i - 1) === "/") && (j + 1 >= p.length || after)) {
        if (j + 1 >= p.length) out.push({ kind: "star", test: ANY });
        else {
          // `**/`: no directory or any number of them (the slash is part of the match).
          out.push({ kind: "anyDirs" });
          j += p.charAt(j + 1) === "\\" ? 2 : 1;
        }
      } else out.push({ kind: "star", test: NOT_SLASH });
      i = j;
    } else if (c === "[") {
      const bracket = bracketPiece(p, i);
      if (bracket === undefined) return undefined;
      out.push(bracket.piece);
      i = bracket.end;
    } else out.push(literal(c));
  }
  return out;
}

function literal(c: string): WildcardPiece {
  return { kind: "one", test: (x) => x === c };
}

/** `[…]` starting at `start`: its class and the index of its `]`; undefined when unterminated (it matches nothing). */
function bracketPiece(p: string, start: number): { piece: WildcardPiece; end: number } | undefined {
  let i = start + 1;
  const negated = p.charAt(i) === "!" || p.charAt(i) === "^";
  if (negated) i++;
  const ranges: [number, number][] = [];
  let previous = -1;
  for (let first = true; ; first = false) {
    if (i >= p.length) return undefined;
    let c = p.charAt(i);
    if (c === "]" && !first) break;
    // A character class (`[:alpha:]`): git's own table of them is not repeated here.
    if (c === "[" && p.charAt(i + 1) === ":") unsure();
    if (c === "\\") {
      if (++i >= p.length) return undefined;
      c = p.charAt(i);
    } else if (c === "-" && previous >= 0 && i + 1 < p.length && p.charAt(i + 1) !== "]") {
      let to = p.charAt(++i);
      if (to === "\\") {
        if (++i >= p.length) return undefined;
        to = p.charAt(i);
      }
      // The single character before the `-` was added as its own range; widened here.
      if (to.charCodeAt(0) >= previous) ranges.push([previous, to.charCodeAt(0)]);
      previous = -1;
      i++;
      continue;
    }
    ranges.push([c.charCodeAt(0), c.charCodeAt(0)]);
    previous = c.charCodeAt(0);
    i++;
  }
  // A class never matches `/` in a path.
  const inClass = (x: string): boolean => {
    const code = x.charCodeAt(0);
    return ranges.some(([lo, hi]) => code >= lo && code <= hi);
  };
  return { piece: { kind: "one", test: (x) => x !== "/" && inClass(x) !== negated }, end: i };
}

/** What a walk reads and writes: see `walk`. */
interface Walk {
  index: Index;
  rules: IgnoreRules;
  out: string[];
  regular: Set<string> | undefined;
}

/**
 * Lists the untracked, not ignored files below `rel`, a directory of the work tree git walks into (`tracked`:
 * one with index entries below it; an untracked one holding `.git` is another repository). The listing's file
 * types come free with the names: the listed paths (tracked or not) seen as regular files go to `regular`, so
 * that reading them need not ask again (src/engine/read-file.ts, `listedText`).
 */
function walk(top: string, rel: string, tracked: boolean, prefix: string, w: Walk): void {
  const { index, rules, out, regular } = w;
  let entries: Dirent[];
  try {
    entries = readdirSync(rel === "" ? top : `${top}/${rel}`, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // git skips a directory it cannot open.
    if (code === "EACCES" || code === "ENOENT" || code === "ENOTDIR") return;
    throw e;
  }
  let ignoreFile: Dirent | undefined;
  // (Indexed loops: a loop over an iterator makes an object per entry in a cold process.)
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Dirent;
    if (entry.name === ".git" && !tracked && rel !== "") {
      // Another repository: git lists the directory itself, with a slash, and does not look inside.
      if (!entry.isDirectory() || !isGitDirectory(`${top}/${rel}/.git`)) unsure();
      out.push(`${rel.slice(prefix.length)}/`);
      return;
    }
    if (entry.name === ".gitignore") ignoreFile = entry;
  }
  rules.enter(rel, ignoreFile === undefined ? "none" : ignoreFile.isFile() ? "file" : "other");
  // Most directories of most repositories are under no pattern at all: nothing in them is asked about.
  const patterns = rules.apply(rel);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Dirent;
    const name = entry.name;
    if (name === ".git") continue;
    if (name.includes("\uFFFD")) unsure();
    const path = rel === "" ? name : `${rel}/${name}`;
    if (entry.isDirectory()) {
      if (index.gitlinks.has(path)) continue;
      // A directory with tracked files is walked even when ignored by git, but every untracked file in it is then
      // ignored too: not walked.
      if (!patterns || !rules.excluded(path, true)) walk(top, path, index.directories.has(path), prefix, w);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      const cached = index.files.has(path);
      if (!cached && patterns && rules.excluded(path, false)) continue;
      const listed = prefix === "" ? path : path.slice(prefix.length);
      if (!cached) out.push(listed);
      if (regular && entry.isFile()) regular.add(listed);
    }
  }
}
