import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { resolveConfig, type ResolvedConfig, type RuleSetting } from "../config/load.js";
import { fileStart } from "../model/location.js";
import { buildProject, emptyParsed, type ParsedFile, type Project } from "../model/project.js";
import { COMPACT_ABOVE, isInputByPath, looksLikeInput, mayBeInput, parseAll, parseOne } from "../parsers/index.js";
import { batchFormatOf } from "../parsers/formats.js";
import { indexProject, type ProjectIndex } from "../analysis/project-index.js";
import type { ParseEnv, SourceFile } from "../parsers/source.js";
import { rules as builtinRules } from "../../rules/index.js";
import { selectContext, type ContextCandidate } from "./context.js";
import { discover, relPath, type DiscoveredFile } from "./discover.js";
import { confinementRoot, readInput, readListedReal, referencedFileReader } from "./read-file.js";
import type { AnyRule } from "./rule.js";
import { WorkflowStream, type WorkflowFiles } from "./workflow-stream.js";

/**
 * What to load. Every command (lint, check, explain, map, fix, generate) describes its inputs with this and
 * calls `loadProject`; none discovers, reads or parses on its own.
 */
export interface ProjectRequest {
  /** Where the command runs: relative `paths`, `contextPaths` and `configFile` resolve against it. Default `process.cwd()`. */
  cwd?: string;
  /**
   * The project root: model paths are relative to it, parsers read referenced files from it, and the config
   * is looked up from it. Default `cwd`. `projectRootOf(file)` finds the repository a file belongs to.
   */
  root?: string;
  /** Files, directories or globs whose findings are reported (default: `.`). */
  paths?: string[];
  /** Extra paths read for cross-file facts but not reported on. */
  contextPaths?: string[];
  /** Content given on stdin, read as if it were the file `filename` (then `paths` is not read). */
  stdin?: { text: string; filename: string };
  /** Also read the other files of the module of each Terraform file named in `paths` (not reported on). */
  withModules?: boolean;
  /** An already resolved config: the config options below are then ignored. */
  config?: ResolvedConfig;
  /** `--config FILE`; without it `.oidclintrc.json` at or above the root, else at or above the paths' common directory. */
  configFile?: string;
  /** `--rule id:level`, applied last. */
  ruleOverrides?: Record<string, RuleSetting>;
  online?: boolean;
  /** Environment read for `GITHUB_REPOSITORY` (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** The rules: the config is validated against them and `lint` runs them (default: the built-in rules; the engine's own are always added). */
  rules?: readonly AnyRule[];
  /** File contents by absolute path that replace what is on disk (`--fix`'s later passes, in memory). */
  overlay?: ReadonlyMap<string, string>;
  /** Only check the syntax of workflows the built-in rules cannot read anything in (`ParseEnv.workflowPrefilter`). */
  workflowPrefilter?: boolean;
  /**
   * Keep in `sources` only the texts that hold a suppression comment (`oidclint-`), each other text being
   * released (`""`) as soon as its file is parsed: what `lint` needs, and the run then never holds every text
   * and every model at once.
   */
  releaseTexts?: boolean;
  /**
   * Hands workflow files over one at a time, as they are parsed (`lint` runs the rules' `checkWorkflowFile`
   * there), and keeps only the workflow models another workflow may call (src/engine/workflow-stream.ts).
   * Called once every other file is parsed, with that project; `project.workflows` of the loaded project then
   * holds only the workflows kept.
   */
  workflowFiles?: WorkflowFiles;
  /**
   * The process is oidclint's own (the CLI): in a large run (more than `COMPACT_ABOVE` files found), set V8's
   * collector for it (`LARGE_RUN_V8_FLAGS`) and its optimizing compiler (`LARGE_INPUT_V8_FLAGS`, from before
   * the files are read); with a large input (`LARGE_INPUT_CHARS` read), its optimizing compiler. A library
   * caller's process is left as it is.
   */
  tuneCollector?: boolean;
}

/** A loaded project: the model rules see, with the config and files it came from. */
export interface LoadedProject {
  root: string;
  config: ResolvedConfig;
  /** Every parsed file, including files that could not be read or parsed (their `problems` say why). */
  project: Project;
  /** The per-run index over `project` and the config's settings (rules get it as `ctx.index`). */
  index: ProjectIndex;
  /** The text of every file read (for suppression comments); see `ProjectRequest.releaseTexts`. */
  sources: SourceFile[];
  /** Root-relative paths whose findings are reported: `paths`, not `contextPaths` or module siblings. */
  reported: ReadonlySet<string>;
  /** Reads a root-relative file as the parsers saw it (stdin and `overlay` included); undefined when unreadable. */
  readFile: (rel: string) => string | undefined;
}

/**
 * The one pipeline: config → discover → read → parse → model. A file that cannot be read is a problem on
 * that file (when it was named, or is an input by its path alone), never the end of the run.
 */
export async function loadProject(req: ProjectRequest = {}): Promise<LoadedProject> {
  const cwd = resolve(req.cwd ?? process.cwd());
  const root = resolve(cwd, req.root ?? ".");
  // Arguments as the user wrote them when they resolve against the root anyway (messages quote them).
  const arg = (p: string): string => (root === cwd ? p : resolveArg(cwd, p));
  const paths = req.stdin
    ? []
    : (req.paths ?? []).length > 0
      ? (req.paths ?? []).map(arg)
      : [root === cwd ? "." : root];
  const config =
    req.config ??
    (await resolveConfig(configRequest(req, arg, root, req.stdin ? [resolve(cwd, req.stdin.filename)] : paths)));
  const overlay = new Map(req.overlay ?? []);
  if (req.stdin) overlay.set(resolve(cwd, req.stdin.filename), req.stdin.text);
  const files = new Files(root, overlay);
  if (req.stdin) files.add(resolve(cwd, req.stdin.filename), req.stdin.text, true);
  else {
    const found = await discover(paths, root, config.ignore);
    // So many files are a large input too: its compiler settings apply before they are read, not after.
    if (req.tuneCollector && found.length > COMPACT_ABOVE)
      await setV8Flags([...LARGE_RUN_V8_FLAGS, ...LARGE_INPUT_V8_FLAGS]);
    const explicit = new Set(paths.map((p) => resolve(root, p)));
    files.readAll(found, true, explicit);
    if (req.withModules)
      files.readAll(
        moduleSiblings([...explicit]).map((abs) => ({ abs, rel: relPath(root, abs), regular: false })),
        false,
        new Set(),
      );
  }
  if (req.contextPaths && req.contextPaths.length > 0) {
    // Only what can matter to the reported files is parsed (src/engine/context.ts).
    const found = await discover(req.contextPaths.map(arg), root, config.ignore);
    files.addContext(found, (candidates) => selectContext(files.all, candidates, config.settings));
  }
  if (req.tuneCollector && inputChars(files.all) >= LARGE_INPUT_CHARS) await setV8Flags(LARGE_INPUT_V8_FLAGS);
  const readReferenced = referencedFileReader(root);
  const readFile = (rel: string): string | undefined => {
    const abs = resolve(root, rel);
    if (overlay.has(abs)) return overlay.get(abs);
    return readReferenced(rel);
  };
  const env: ParseEnv = { root, settings: config.settings, readFile };
  if (req.workflowPrefilter) env.workflowPrefilter = true;
  const release = req.releaseTexts
    ? (src: SourceFile): void => {
        if (!src.text.includes("oidclint-")) src.text = "";
      }
    : undefined;
  const base = { root, config, sources: files.all, reported: files.reported, readFile };
  const stream = req.workflowFiles ? new WorkflowStream(req.workflowFiles, base, files.problems) : undefined;
  let parsed = [...files.problems, ...(await parseAll(files.all, env, release, stream?.later))];
  if (stream) parsed = await stream.restoreCallees(parsed, (path) => files.parseAgain(path, env));
  const whole = stream?.wholeProject();
  const project = whole?.project ?? buildProject(root, parsed);
  const loaded = { ...base, project, index: whole?.index ?? indexProject(project, config.settings) };
  await stream?.handDeferred(loaded);
  return loaded;
}

/**
 * V8's collector set for a large run (issue 13, memory; measured in BENCHMARKS.md, "Session 5: memory"). A run
 * allocates much that dies young (each file's parse and workflow model) and keeps little, which V8's defaults
 * serve badly: allocation sites whose objects survived early are then allocated straight in the old generation
 * (pretenuring), the young generation grows to 16 MiB semi-spaces, and the old generation grows by up to 2×
 * before a full collection. These flags change when the collector runs and where objects are first allocated,
 * never what a program computes; they apply to the rest of the process (set from here, once the run is known to
 * be large; command-line flags such as `--max-semi-space-size` cannot be changed at run time).
 */
const LARGE_RUN_V8_FLAGS = [
  "--no-allocation-site-pretenuring",
  "--semi-space-growth-factor=1",
  "--heap-growing-percent=20",
];

/** Bytecode a function runs before TurboFan compiles it, in a run with a large input (V8's default: 67,584). */
const TURBOFAN_BUDGET = 1_000_000;

/**
 * V8 set for a large input (issue 12; measured in BENCHMARKS.md, "Session 6: policy" and "Session 7: lead").
 * - The optimizing compiler (TurboFan): by default V8 compiles a function once it has run for a budget of 66 KiB
 *   of bytecode; a lint of a large input runs hundreds of functions (parsers, every rule, the report) just past
 *   that budget, and compiling them, on a second thread whose time counts too, costs more than the compiled code
 *   saves in a run of a second or two (a 1 MiB policy: ≈ 20 % of the run's CPU). With 15× the budget only the
 *   functions that run for long are compiled.
 * - The young generation stays at its first size instead of doubling up to 16 MiB semi-spaces: a large input's
 *   parse and analyses make much that dies young, and each page the grown young generation touches for the
 *   first time is a page fault, which costs more here than the extra scavenges (a 1 MiB policy with
 *   `--fix-dry-run`: 25,000 → 18,000 faults, 133 → 107 MiB, ≈ −20 % CPU).
 * - Scavenges of that small young generation run on one thread: sharing each among helper threads costs more
 *   CPU in coordination than it saves (the same run: −9 % CPU; neutral on 1,238 real workflows and on real
 *   Terraform; a scavenge may take a little longer in wall time on a machine with idle cores).
 * The flags change when functions are optimized and when the collector runs, never what a program computes;
 * they apply to the rest of the process, and are set once.
 */
const LARGE_INPUT_V8_FLAGS = [
  `--interrupt-budget=${String(TURBOFAN_BUDGET)}`,
  "--semi-space-growth-factor=1",
  "--no-parallel-scavenge",
];

/** Sets V8 flags for the rest of the process, each once (a `--fix` run loads its project once per pass). */
async function setV8Flags(flags: readonly string[]): Promise<void> {
  const fresh = flags.filter((f) => !v8FlagsSet.has(f));
  if (fresh.length === 0) return;
  const { setFlagsFromString } = await import("node:v8");
  // The CLI's loader keeps the code it compiled so far under the flags it was compiled with (bin/bundle-loader.js).
  (globalThis as Record<symbol, (() => void) | undefined>)[Symbol.for("oidclint.beforeV8Flags")]?.();
  for (const flag of fresh) {
    setFlagsFromString(flag);
    v8FlagsSet.add(flag);
  }
  // The CLI's loader keeps the code it caches under these flags apart (bin/bundle-loader.js, `cacheKey`).
  (globalThis as Record<symbol, unknown>)[Symbol.for("oidclint.v8Flags")] = [...v8FlagsSet].join(" ");
}

const v8FlagsSet = new Set<string>();

/** Input text from which a run counts as large for `LARGE_INPUT_V8_FLAGS` (smaller runs spare loading node:v8). */
const LARGE_INPUT_CHARS = 256 * 1024;

function inputChars(sources: readonly SourceFile[]): number {
  let n = 0;
  for (const src of sources) n += src.text.length;
  return n;
}

/** Globs stay as written (relative to the root); files and directories become absolute. */
function resolveArg(cwd: string, p: string): string {
  return /[*?{}[\]]/.test(p) && !existsSync(resolve(cwd, p)) ? p : resolve(cwd, p);
}

function configRequest(
  req: ProjectRequest,
  arg: (p: string) => string,
  root: string,
  paths: string[],
): Parameters<typeof resolveConfig>[0] {
  return {
    cwd: root,
    rules: req.rules ?? builtinRules,
    ...searchStart(root, paths),
    ...(req.configFile ? { configFile: arg(req.configFile) } : {}),
    ...(req.ruleOverrides ? { ruleOverrides: req.ruleOverrides } : {}),
    ...(req.online ? { online: true } : {}),
    ...(req.env ? { env: req.env } : {}),
  };
}

/**
 * Without a config at or above the root, the config is looked up from the paths' common directory, so
 * that `oidclint path/to/repo` lints with that repository's `.oidclintrc.json`.
 */
function searchStart(root: string, paths: string[]): { searchFrom?: string } {
  const absolute = paths.map((p) => resolve(root, p)).filter((p) => p !== root);
  if (absolute.length === 0) return {};
  const dirs = absolute.map((abs) => {
    try {
      return statSync(abs).isDirectory() ? abs : dirname(abs);
    } catch {
      return dirname(abs);
    }
  });
  let common = dirs[0] ?? root;
  for (const d of dirs) {
    while (d !== common && !d.startsWith(`${common}${sep}`)) common = dirname(common);
  }
  return { searchFrom: common };
}

/**
 * The repository a file belongs to: the directory holding its `.github/` for a workflow or action under
 * `.github/`, else the nearest directory above it with a `.git`; undefined when neither applies.
 */
export function projectRootOf(file: string): string | undefined {
  const abs = resolve(file);
  const github = abs.lastIndexOf(`${sep}.github${sep}`);
  if (github > 0) return abs.slice(0, github);
  let dir = dirname(abs);
  for (;;) {
    if (existsSync(join(dir, ".git"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The other files of the directory of each file named whose format is read as a whole (a Terraform module). */
function moduleSiblings(paths: string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    const format = batchFormatOf(path);
    if (!format) continue;
    const dir = dirname(path);
    try {
      for (const name of readdirSync(dir)) if (format.matchesPath(name)) out.push(join(dir, name));
    } catch {
      // an unreadable directory: the named file alone
    }
  }
  return out;
}

/** The files read for one run, each once, with the problems of those that could not be read. */
class Files {
  readonly all: SourceFile[] = [];
  readonly reported = new Set<string>();
  readonly problems: ParsedFile[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly overlay: ReadonlyMap<string, string>,
  ) {}

  /** Reads and parses a file of the run again, as it was read (a workflow whose model the run dropped). */
  async parseAgain(path: string, env: ParseEnv): Promise<ParsedFile | undefined> {
    const src = this.all.find((f) => f.path === path);
    const outcome = src && this.read(src.abs, false);
    return src && outcome && "text" in outcome ? parseOne({ ...src, text: outcome.text }, env) : undefined;
  }

  /**
   * A file's text as the run reads it: the overlay's, else what is on disk (confined to the repository;
   * `listedRegular`: discovery saw a regular file there).
   */
  private read(abs: string, listedRegular: boolean, real = false): ReturnType<typeof readInput> {
    const over = this.overlay.get(abs);
    if (over !== undefined) return { text: over };
    // A file discovery proved to be where its path says needs no confinement check (`DiscoveredFile.real`).
    const text = real ? readListedReal(abs) : undefined;
    if (text !== undefined) return { text };
    return readInput(abs, { confineTo: confinementRoot(abs, this.root), listedRegular });
  }

  add(abs: string, text: string, report: boolean, path = relPath(this.root, abs)): void {
    if (report) this.reported.add(path);
    if (this.seen.has(path)) return;
    this.seen.add(path);
    this.all.push({ path, abs, text });
  }

  /** Context files (not reported): read, then kept as `select` decides. Unreadable ones are left out. */
  addContext(files: DiscoveredFile[], select: (candidates: ContextCandidate[]) => SourceFile[]): void {
    const candidates: ContextCandidate[] = [];
    for (const { abs, rel: path, regular, real } of files) {
      if (this.seen.has(path)) continue;
      const text = (): string | undefined => {
        const outcome = this.read(abs, regular, real);
        return "text" in outcome ? outcome.text : undefined;
      };
      candidates.push({ path, abs, text });
    }
    for (const src of select(candidates)) this.add(src.abs, src.text, false, src.path);
  }

  readAll(files: DiscoveredFile[], report: boolean, explicit: Set<string>): void {
    for (const { abs, rel: path, regular, real } of files) {
      if (this.seen.has(path)) {
        if (report) this.reported.add(path);
        continue;
      }
      const outcome = this.read(abs, regular, real);
      if ("text" in outcome) {
        // Overlaid text (`--fix`'s passes) is kept whatever it is: the file was an input before the fix.
        if (this.overlay.has(abs) || mayBeInput(path, outcome.text)) this.add(abs, outcome.text, report, path);
      }
      // Unreadable files are findings where they certainly are inputs (named, by their path, or by what their
      // text says despite a bad byte); a special file or a link out of the repository wherever it was found.
      else if (
        "problem" in outcome &&
        report &&
        (explicit.has(abs) ||
          isInputByPath(path) ||
          outcome.reason === "special" ||
          outcome.reason === "outside" ||
          (outcome.lenient !== undefined && looksLikeInput(path, outcome.lenient)))
      ) {
        this.reported.add(path);
        const loc =
          outcome.line === undefined
            ? fileStart(path)
            : {
                file: path,
                line: outcome.line,
                column: outcome.column ?? 1,
                endLine: outcome.line,
                endColumn: (outcome.column ?? 1) + 1,
              };
        this.problems.push({ ...emptyParsed(path, "unknown"), problems: [{ message: outcome.problem, loc }] });
      }
    }
  }
}
