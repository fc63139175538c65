import { normalisePolicy } from "../normalise-policy.js";
import { treeString, treeValueList } from "../normalise-policy.js";
import { knownText } from "../../model/value.js";
import type { OidcProvider, PolicyDocument, PolicyKind, RoleInfo } from "../../model/policy.js";
import { emptyParsed, type ParsedFile } from "../../model/project.js";
import type { TreeNode } from "../tree.js";
import type { ParseEnv, SourceFile } from "../source.js";
import { policyConditionValues } from "./conditional-values.js";
import { parseEmbeddedJson, textAt, type Segment } from "./embedded-json.js";
import { endEvaluation, evaluate, instancesOf, stringSegments } from "./evaluate.js";
import { internalProblem } from "../index.js";
import { Budget, LIMITS } from "./limits.js";
import { parseHcl } from "./parse-hcl.js";
import { expressionAst } from "./hcl2json-fallback/index.js";
import { loadRegexEngine, RegexEngineNeeded } from "./regex.js";
import {
  addToModule,
  BlockSyntaxError,
  blocksOfHcl,
  lazyBlocksOfHcl,
  ModuleFile,
  parseNow,
  plainText,
  scopeWith,
  blocksOfJson,
  newModule,
  NO_NAMES,
  type Block,
  type Expr,
  ModuleArgs,
  moduleInstance,
  type ModuleCtx,
  type Scope,
  type TfFile,
} from "./module.js";
import { knownModulePolicies } from "./modules.js";
import { inertDocument, quietInstances, quietPermissions } from "./inert.js";
import { policyDocumentTree } from "./policy-document.js";
import { AUTO_TFVARS, isTfvarsPath, mentionsPolicies, QUOTED_RELATIVE, supports } from "./selection.js";

/**
 * Terraform modules: every `*.tf`, `*.tf.json`, `*.tfvars`, `*.tfvars.json` of the run at once, grouped
 * by directory (one directory = one module, whose files share variables and locals). Only files that can
 * matter are parsed: those that mention a role, a policy document, an OIDC provider or a known OIDC
 * module, plus the variable/locals/tfvars files of their directories. The other files are left alone.
 *
 * HCL files are read through one entry, `parseHcl` (`parse-hcl.ts`): the TypeScript parser first, the
 * `@cdktf/hcl2json` fallback (`hcl2json-fallback/`) only for a file that parser refuses.
 */
const PERMISSION_RESOURCES = new Set([
  "aws_iam_policy",
  "aws_iam_role_policy",
  "aws_iam_user_policy",
  "aws_iam_group_policy",
]);

/** A `module` block's `source` that is a directory of this repository (`./x`, `../x`), as written. */
const LOCAL_SOURCE = /(?:\bsource\s*=\s*|"source"\s*:\s*)"(\.\.?\/[^"$]*)"/g;
/** Module instances nested deeper than this are not expanded (Terraform forbids cycles; this bounds the cost). */
const MAX_MODULE_DEPTH = 8;

interface LoadedModule {
  mod: ModuleCtx;
  parsed: Map<string, ParsedFile>;
  files: SourceFile[];
}

/** A module directory of the run that can matter (`planRun`): its files that are parsed. */
interface ModuleDir {
  dir: string;
  /** Its place among the run's module directories (results keep that order). */
  index: number;
  files: SourceFile[];
}

/** The module directories of the run that can matter, in order, and the groups they are evaluated in. */
interface RunPlan {
  dirs: ModuleDir[];
  /** `dirs` by name. */
  needed: Map<string, ModuleDir>;
  /**
   * Directories whose text calls one another as local modules, joined (`source = "./x"` either way): each group is
   * loaded, evaluated and let go before the next, so that the memory of a run holds one group's trees and values
   * at a time (they then die young instead of being kept, copied and promoted for the whole run).
   */
  groups: ModuleDir[][];
}

export async function parseTerraform(files: SourceFile[], env: ParseEnv): Promise<ParsedFile[]> {
  const run = planRun(files);
  try {
    return await evaluateGroups(run, env, run.groups);
  } catch (e) {
    // Evaluation resolved a call the text did not show (a `source` written as an expression): everything again, as one group.
    if (e instanceof CallAcrossGroups) return evaluateGroups(run, env, [run.dirs]);
    throw e;
  }
}

/**
 * Evaluations started again for a syntax error found in a block the evaluation read (the blocks read first —
 * roles, policies, documents, providers, `module` calls, `locals` — are parsed when loaded, so only blocks
 * reached through them, such as variables, can cause one); past this every file is parsed whole.
 */
const MAX_RESTARTS = 4;

/** Thrown when a group's evaluation started again more than `MAX_RESTARTS` times in a run: every group again, every file parsed whole. */
class EveryFileWhole extends Error {}

/** Thrown when evaluation calls a module directory of the run that is not in the group evaluated (`RunPlan.groups`). */
class CallAcrossGroups extends Error {}

/**
 * The groups of a run, one after another. Files parsed whole: a block that evaluation read had a syntax error
 * (`BlockSyntaxError`; the group is then evaluated again); all of them once `MAX_RESTARTS` such files were met in
 * the run (each one costs an evaluation of its group: a bound for hostile input) — the run then starts again.
 */
async function evaluateGroups(run: RunPlan, env: ParseEnv, groups: ModuleDir[][]): Promise<ParsedFile[]> {
  const restarts = { whole: new Set<string>(), count: 0 };
  for (;;) {
    const outcomes: DirOutcome[] = [];
    try {
      for (let g = 0; g < groups.length; g++)
        outcomes.push(...(await evaluateGroup(groups[g] as ModuleDir[], run, env, restarts)));
      return assemble(run, outcomes);
    } catch (e) {
      if (!(e instanceof EveryFileWhole)) throw e;
    }
  }
}

async function evaluateGroup(
  group: ModuleDir[],
  run: RunPlan,
  env: ParseEnv,
  restarts: { whole: Set<string>; count: number },
): Promise<DirOutcome[]> {
  for (;;) {
    const modules = await loadModules(group, run, env, restarts.count > MAX_RESTARTS ? "all" : restarts.whole);
    try {
      return evaluateModules(modules);
    } catch (e) {
      // Evaluated again, from the start: with that file parsed whole (its syntax error reported, its blocks
      // not read), or with the regular expression engine, loaded when a regular expression is first met (most
      // modules that name `regex`, `regexall` or `replace` never evaluate one: they stay unloaded).
      if (e instanceof BlockSyntaxError) {
        restarts.whole.add(e.path);
        if (++restarts.count > MAX_RESTARTS) throw new EveryFileWhole();
      } else if (e instanceof RegexEngineNeeded) await loadRegexEngine();
      else throw e;
    } finally {
      endEvaluation();
    }
  }
}

/** The module directories of one group, parsed; evaluation (`evaluateModules`) is synchronous. */
interface Modules {
  loaded: Map<string, LoadedModule>;
  /** The group's directories by name. */
  group: Map<string, ModuleDir>;
  run: RunPlan;
  /** What became of each directory of the group. */
  outcomes: Map<string, DirOutcome>;
  used: Set<Block>;
}

/**
 * What became of one module directory: its files' results, what its evaluation as a root module spent, or, when
 * it failed (a parser bug), its files' problems and when it failed (`order`: loading, then the passes of `evaluateModules`).
 */
interface DirOutcome {
  dir: ModuleDir;
  parsed?: Map<string, ParsedFile>;
  /** What its evaluation as a root module spent (its `Budget`, without what keeps the group's blocks alive). */
  spent?: Pick<Budget, "steps" | "moduleInstances" | "problems" | "templates">;
  failed?: { order: number; files: ParsedFile[] };
}

/** The module directories that can matter and the files of each that are parsed, from the text of the files alone. */
function planRun(files: SourceFile[]): RunPlan {
  // (Indexed loops over arrays here and below: a loop over an iterator makes an object per step in a cold process.)
  const byDir = new Map<string, SourceFile[]>();
  const dirs: { dir: string; files: SourceFile[] }[] = [];
  for (let i = 0; i < files.length; i++) {
    const f = files[i] as SourceFile;
    const dir = dirOf(f.path);
    const list = byDir.get(dir);
    if (list) list.push(f);
    else {
      const group = { dir, files: [f] };
      byDir.set(dir, group.files);
      dirs.push(group);
    }
  }
  // What each file's text says, read once: whether it defines policies, and the local modules it calls.
  const relevantFile = new Set<SourceFile>();
  const localCalls = new Map<SourceFile, string[]>();
  for (let d = 0; d < dirs.length; d++) {
    const { dir, files: dirFiles } = dirs[d] as (typeof dirs)[number];
    for (let i = 0; i < dirFiles.length; i++) {
      const f = dirFiles[i] as SourceFile;
      if (isTfvarsPath(f.path)) continue;
      if (mentionsPolicies(f.text)) relevantFile.add(f);
      // Every local source is a quoted `./` or `../` path: most files hold none (registry sources, providers).
      if (!QUOTED_RELATIVE.test(f.text)) continue;
      let targets: string[] | undefined;
      LOCAL_SOURCE.lastIndex = 0;
      for (let m = LOCAL_SOURCE.exec(f.text); m; m = LOCAL_SOURCE.exec(f.text))
        (targets ??= []).push(joinPath(dir, m[1] ?? ""));
      if (targets) localCalls.set(f, targets);
    }
  }
  // Directories that define policies, then, until nothing changes, those calling one of them as a local module.
  const needed = new Set<string>();
  for (let d = 0; d < dirs.length; d++) {
    const { dir, files: dirFiles } = dirs[d] as (typeof dirs)[number];
    if (dirFiles.some((f) => relevantFile.has(f))) needed.add(dir);
  }
  const callersOf = (f: SourceFile): boolean => localCalls.get(f)?.some((target) => needed.has(target)) ?? false;
  for (let changed = true; changed;) {
    changed = false;
    for (let d = 0; d < dirs.length; d++) {
      const { dir, files: dirFiles } = dirs[d] as (typeof dirs)[number];
      if (needed.has(dir) || !dirFiles.some(callersOf)) continue;
      needed.add(dir);
      changed = true;
    }
  }
  const plan: RunPlan = { dirs: [], needed: new Map(), groups: [] };
  // Groups as a union-find over the calls between needed directories.
  const parent = new Map<string, string>();
  const root = (dir: string): string => {
    let r = dir;
    for (let up = parent.get(r); up !== undefined && up !== r; up = parent.get(r)) r = up;
    return r;
  };
  for (let d = 0; d < dirs.length; d++) {
    const { dir, files: dirFiles } = dirs[d] as (typeof dirs)[number];
    if (!needed.has(dir)) continue;
    const relevant = dirFiles.filter((f) => relevantFile.has(f) || callersOf(f));
    const selected = dirFiles.filter(
      (f) => relevant.includes(f) || (isTfvarsPath(f.path) ? AUTO_TFVARS.test(f.path) : supports(f.text)),
    );
    const entry: ModuleDir = {
      dir,
      index: plan.dirs.length,
      files: selected,
    };
    plan.dirs.push(entry);
    plan.needed.set(dir, entry);
    parent.set(dir, dir);
  }
  for (let d = 0; d < plan.dirs.length; d++) {
    const { dir, files: dirFiles } = plan.dirs[d] as ModuleDir;
    for (let i = 0; i < dirFiles.length; i++) {
      const targets = localCalls.get(dirFiles[i] as SourceFile);
      if (!targets) continue;
      for (let t = 0; t < targets.length; t++) {
        const target = targets[t] as string;
        if (!needed.has(target)) continue;
        const a = root(dir);
        const b = root(target);
        if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
      }
    }
  }
  // Groups in the order of their first directory, each in the run's order.
  const groupOf = new Map<string, ModuleDir[]>();
  for (let d = 0; d < plan.dirs.length; d++) {
    const entry = plan.dirs[d] as ModuleDir;
    const r = root(entry.dir);
    const group = groupOf.get(r);
    if (group) group.push(entry);
    else {
      const fresh = [entry];
      groupOf.set(r, fresh);
      plan.groups.push(fresh);
    }
  }
  return plan;
}

async function loadModules(
  group: ModuleDir[],
  run: RunPlan,
  env: ParseEnv,
  whole: Set<string> | "all",
): Promise<Modules> {
  const loaded = new Map<string, LoadedModule>();
  const byName = new Map<string, ModuleDir>();
  const outcomes = new Map<string, DirOutcome>();
  // One module directory's failure (a parser bug) is reported on its files; the others are read as usual.
  const used = new Set<Block>();
  for (let d = 0; d < group.length; d++) {
    const entry = group[d] as ModuleDir;
    byName.set(entry.dir, entry);
    try {
      loaded.set(entry.dir, await loadModule(entry.dir, entry.files, env, used, whole));
    } catch (e) {
      outcomes.set(entry.dir, {
        dir: entry,
        failed: { order: entry.index, files: entry.files.map((f) => internalProblem(f, e)) },
      });
    }
  }
  return { loaded, group: byName, run, outcomes, used };
}

/** The passes of `evaluateModules`, in the order their failures are reported (after those of loading). */
const Pass = { Roots: 1, Cycles: 2, UnusedDocuments: 3 } as const;
type Pass = (typeof Pass)[keyof typeof Pass];

/** The policies and providers of every loaded module of a group, evaluated (synchronously: no value waits on I/O). */
function evaluateModules(modules: Modules): DirOutcome[] {
  const { loaded, outcomes, used, run } = modules;
  const failDir = (m: LoadedModule, pass: Pass, e: unknown): void => {
    if (e instanceof RegexEngineNeeded || e instanceof BlockSyntaxError || e instanceof CallAcrossGroups) throw e;
    loaded.delete(m.mod.dir);
    const entry = run.needed.get(m.mod.dir) as ModuleDir;
    outcomes.set(m.mod.dir, {
      dir: entry,
      failed: { order: pass * run.dirs.length + entry.index, files: m.files.map((f) => internalProblem(f, e)) },
    });
  };
  // A module called from the linted files is read through its calls, with their arguments; on its own only when nobody calls it.
  const called = new Set<string>();
  loaded.forEach((m, dir) => {
    const calls = m.mod.modules;
    for (let i = 0; i < calls.length; i++) {
      const target = calleeDir(calls[i] as Block, m.mod, modules);
      if (target !== undefined && target !== dir && loaded.has(target)) called.add(target);
    }
  });
  const done = new Set<string>();
  const emitRoot = (dir: string, m: LoadedModule, pass: Pass): void => {
    try {
      emitModule(m, m.mod, "", [dir], modules, done);
    } catch (e) {
      failDir(m, pass, e);
    }
  };
  // (Over a copy: a module that fails is taken out of `loaded`.)
  const all = [...loaded.values()];
  for (let i = 0; i < all.length; i++) {
    const m = all[i] as LoadedModule;
    if (!called.has(m.mod.dir)) emitRoot(m.mod.dir, m, Pass.Roots);
  }
  // Modules only reachable through a cycle of calls (which Terraform refuses): read on their own.
  for (let i = 0; i < all.length; i++) {
    const m = all[i] as LoadedModule;
    if (loaded.has(m.mod.dir) && !done.has(m.mod.dir)) emitRoot(m.mod.dir, m, Pass.Cycles);
  }
  // A policy document no role or policy of any module instance used (an output, a module argument, a
  // reference oidclint could not follow): judged by its content.
  const left = [...loaded.values()];
  for (let i = 0; i < left.length; i++) {
    const m = left[i] as LoadedModule;
    try {
      emitUnusedDocuments(m, used);
    } catch (e) {
      failDir(m, Pass.UnusedDocuments, e);
    }
  }
  loaded.forEach((m, dir) => {
    const { steps, moduleInstances, problems, templates } = m.mod.budget;
    const entry = modules.group.get(dir) as ModuleDir;
    outcomes.set(dir, { dir: entry, parsed: m.parsed, spent: { steps, moduleInstances, problems, templates } });
  });
  return [...outcomes.values()];
}

/** The results of the run's groups, in the order of its module directories (then the files that failed, in the order they failed). */
function assemble(run: RunPlan, outcomes: DirOutcome[]): ParsedFile[] {
  const byDir: (DirOutcome | undefined)[] = new Array<DirOutcome | undefined>(run.dirs.length);
  for (let i = 0; i < outcomes.length; i++) {
    const o = outcomes[i] as DirOutcome;
    byDir[o.dir.index] = o;
  }
  const all: ParsedFile[] = [];
  const failed: { order: number; files: ParsedFile[] }[] = [];
  for (let i = 0; i < byDir.length; i++) {
    const o = byDir[i];
    if (o?.parsed) all.push(...o.parsed.values());
    else if (o?.failed) failed.push(o.failed);
  }
  const byPath = new Map(all.map((f) => [f.file, f]));
  for (let i = 0; i < byDir.length; i++) {
    const o = byDir[i];
    if (!o?.parsed || !o.spent) continue;
    const budget = o.spent;
    // The measure behind the limits (README, "Limits"): what each root module spent.
    if (process.env.OIDCLINT_DEBUG)
      console.error(
        `oidclint: ${o.dir.dir}: ${String(budget.steps)} evaluation steps, ${String(budget.moduleInstances)} module instances`,
      );
    for (const p of budget.problems) (byPath.get(p.loc.file) ?? o.parsed.values().next().value)?.problems.push(p);
    const first = o.parsed.values().next().value;
    if (first && budget.templates.size > 0) first.templates = [...budget.templates];
  }
  failed.sort((a, b) => a.order - b.order);
  for (let i = 0; i < failed.length; i++) all.push(...(failed[i] as (typeof failed)[number]).files);
  return all;
}

function dirOf(path: string): string {
  return path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
}

/** `dir` joined with a relative path, normalised (`.` for the root). */
function joinPath(dir: string, rel: string): string {
  const out: string[] = [];
  const segments = `${dir}/${rel}`.split("/");
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] ?? "";
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length === 0) return "\0outside";
      out.pop();
    } else out.push(seg);
  }
  return out.length === 0 ? "." : out.join("/");
}

/** `localModuleDir`, which must be a directory of the group evaluated when it is one of the run (`CallAcrossGroups`). */
function calleeDir(block: Block, mod: ModuleCtx, modules: Modules): string | undefined {
  const target = localModuleDir(block, mod);
  if (target !== undefined && !modules.group.has(target) && modules.run.needed.has(target))
    throw new CallAcrossGroups();
  return target;
}

/** `localModuleDir` of blocks whose source is a plain string (the same in every instance of the module). */
const plainSourceDirs = new WeakMap<Block, string | undefined>();

/** The directory a `module` block's local `source` names, relative to the root; undefined for registry, git and unknown sources. */
function localModuleDir(block: Block, mod: ModuleCtx): string | undefined {
  if (plainSourceDirs.has(block)) return plainSourceDirs.get(block);
  const attr = block.attrs.get("source");
  if (!attr) return undefined;
  // Most sources are written as plain strings: read without evaluating (which would locate the value), once per block.
  const plain = plainText(attr.expr);
  if (plain !== undefined) {
    const dir = sourceDir(plain, mod);
    plainSourceDirs.set(block, dir);
    return dir;
  }
  const v = evaluate(attr.expr, { module: mod, names: NO_NAMES, depth: 0 });
  return v.kind === "string" ? sourceDir(knownText(v.value), mod) : undefined;
}

function sourceDir(text: string | undefined, mod: ModuleCtx): string | undefined {
  if (text === undefined || !/^\.\.?\//.test(text)) return undefined;
  return joinPath(mod.dir, text.replace(/\/+$/, ""));
}

async function loadModule(
  dir: string,
  files: SourceFile[],
  env: ParseEnv,
  used: Set<Block>,
  whole: Set<string> | "all",
): Promise<LoadedModule> {
  const mod = newModule(dir, env, new Budget(used));
  const parsed = new Map<string, ParsedFile>();
  const tfvarsFiles: { file: TfFile; top: Block }[] = [];
  for (let i = 0; i < files.length; i++) {
    const src = files[i] as SourceFile;
    const out = emptyParsed(src.path, "terraform");
    parsed.set(src.path, out);
    const file: TfFile = new ModuleFile(src);
    const tfvars = /\.tfvars(\.json)?$/.test(src.path);
    let top: Block | undefined;
    if (src.path.endsWith(".json")) {
      const json = parseEmbeddedJson([textAt(src.text, 0, (s, e) => file.index.span(s, e))]);
      if ("error" in json) {
        out.problems.push({ message: `Invalid JSON in a Terraform file: ${json.error}`, loc: json.loc });
        continue;
      }
      top = src.path.endsWith(".tfvars.json") ? tfvarsOfJson(file, json.tree) : blocksOfJson(file, json.tree);
    } else {
      if (!tfvars && whole !== "all" && !whole.has(src.path)) top = lazyTop(file);
      if (!top) {
        const hcl = await parseHcl(src.path, src.text, file.index);
        if ("problem" in hcl) {
          out.problems.push(hcl.problem);
          continue;
        }
        top = blocksOfHcl(file, hcl.body);
        await readFallbackExpressions(top);
      }
    }
    if (tfvars) tfvarsFiles.push({ file, top });
    else addToModule(mod, top);
  }
  // terraform.tfvars first, then *.auto.tfvars in the lexical order of their names, as Terraform sorts them (by
  // code unit: `B.auto.tfvars` before `a.auto.tfvars`, whatever the locale): later files win.
  tfvarsFiles.sort((a, b) => tfvarsRank(a.file.src.path) - tfvarsRank(b.file.src.path) || byCodeUnit(a, b));
  for (const { top } of tfvarsFiles) for (const [k, attr] of top.attrs) mod.tfvars.set(k, attr);
  return { mod, parsed, files };
}

/**
 * A `.tf` file's top-level blocks, their bodies parsed when first read (`hcl-scan.ts`). The blocks every
 * evaluation reads (`readFirst`) are parsed now: a syntax error there is found before anything is evaluated.
 * Undefined when the file must be parsed whole: the scan did not understand it, or one of those blocks has a
 * syntax error.
 */
function lazyTop(file: TfFile): Block | undefined {
  const top = lazyBlocksOfHcl(file);
  if (!top) return undefined;
  try {
    for (let i = 0; i < top.blocks.length; i++) {
      const b = top.blocks[i] as Block;
      if (readFirst(b)) parseNow(b);
    }
  } catch (e) {
    if (e instanceof BlockSyntaxError) return undefined;
    throw e;
  }
  return top;
}

/**
 * Resources that evaluation reads whatever refers to them (`emitModule`), by type; and the data source
 * `aws_iam_policy_document` (`emitUnusedDocuments`).
 */
const READ_FIRST_RESOURCES = new Set(["aws_iam_role", "aws_iam_openid_connect_provider", ...PERMISSION_RESOURCES]);

/** Whether every evaluation reads this top-level block: `locals`, `module` calls (their `source`), those above. */
function readFirst(b: Block): boolean {
  const label = b.labels[0];
  if (b.type === "resource") return label !== undefined && READ_FIRST_RESOURCES.has(label);
  return b.type === "locals" || b.type === "module" || (b.type === "data" && label === "aws_iam_policy_document");
}

/**
 * The expressions of a file the TypeScript parser refused and hcl2json accepted (a gap of that parser),
 * read with hcl2json now: evaluation is synchronous. Files of the TypeScript parser have nothing to read.
 */
async function readFallbackExpressions(top: Block): Promise<void> {
  const unread: Extract<Expr, { kind: "hcl" }>[] = [];
  const walk = (block: Block): void => {
    for (const attr of block.attrs.values()) if (attr.expr.kind === "hcl" && !attr.expr.checked) unread.push(attr.expr);
    block.blocks.forEach(walk);
  };
  walk(top);
  for (const expr of unread) {
    const text = expr.file.src.text.slice(expr.start, expr.end);
    // A heredoc must end with a newline after its closing marker.
    const ast = await expressionAst(expr.file.src.path, text.startsWith("<<") ? `${text}\n` : text, expr.start);
    if (ast) expr.ast = ast;
  }
}

interface ReadResource {
  address: string;
  type: string;
  name: string;
  block: Block;
}
type Instance = ReturnType<typeof instancesOf>[number];

/** Per module (its instances share the `resources` map): the resources `emitModule` reads, in order. */
const readResources = new WeakMap<ModuleCtx["resources"], ReadResource[]>();

function resourcesRead(mod: ModuleCtx): ReadResource[] {
  let list = readResources.get(mod.resources);
  if (!list) {
    const found: ReadResource[] = [];
    mod.resources.forEach((block, address) => {
      // Every type read starts so; most resources of a module are of other types.
      if (!address.startsWith("aws_iam_")) return;
      const segments = address.split(".");
      const type = segments[0] ?? "";
      const name = segments[1] ?? "";
      if (type === "aws_iam_role" || type === "aws_iam_openid_connect_provider" || PERMISSION_RESOURCES.has(type))
        found.push({ address, type, name, block });
    });
    readResources.set(mod.resources, (list = found));
  }
  return list;
}

/**
 * The policies and providers of one instance of a module: the module on its own (`prefix` empty), or
 * called by a `module` block, whose arguments `mod.args` holds (addresses then start with `prefix`,
 * e.g. `module.deploy.`). Local modules it calls are read the same way, once per call and instance.
 */
function emitModule(
  m: LoadedModule,
  mod: ModuleCtx,
  prefix: string,
  stack: string[],
  modules: Modules,
  done: Set<string>,
): void {
  done.add(m.mod.dir);
  const scope: Scope = { module: mod, names: NO_NAMES, depth: 0, policyDocument: policyDocumentTree };
  const fileOf = (b: Block): ParsedFile => m.parsed.get(b.file.src.path) ?? emptyParsed(b.file.src.path, "terraform");
  const read = resourcesRead(mod);
  for (let r = 0; r < read.length; r++) {
    const { address, type, name, block } = read[r] as ReadResource;
    const out = fileOf(block);
    if (type === "aws_iam_role") {
      const attr = block.attrs.get("assume_role_policy");
      if (!attr) continue;
      const instances = instancesOf(block, scope);
      for (let i = 0; i < instances.length; i++) {
        const instance = instances[i] as Instance;
        // (The module's scope itself for a role without `count`/`for_each`: it binds the same names.)
        const own = instance.names === scope.names ? scope : scopeWith(scope, instance.names, scope.depth);
        const role = roleInfo(block, `${prefix}${address}${instance.key}`, own);
        addPolicy(out, attr.expr, own, "trust", role);
      }
    } else if (PERMISSION_RESOURCES.has(type)) {
      const attr = block.attrs.get("policy");
      if (!attr) continue;
      const quiet = quietPermissions(attr.expr, mod);
      // Not evaluated (`inert.ts`): all it would have done is mark its document used, which needs recording only
      // when the module read on its own would judge that document unreferenced; then its instances are read.
      if (
        quiet !== undefined &&
        (quiet === "quiet" || inertDocument(quiet.document, mod.root ?? mod)) &&
        quietInstances(block, mod)
      )
        continue;
      const instances = instancesOf(block, scope);
      if (quiet !== undefined && instances.length > 0) {
        if (quiet !== "quiet" && documentInstance(quiet.document, quiet.index, scope))
          mod.budget.used.add(quiet.document);
        continue;
      }
      for (let i = 0; i < instances.length; i++)
        addPolicy(
          out,
          attr.expr,
          (instances[i] as Instance).names === scope.names
            ? scope
            : scopeWith(scope, (instances[i] as Instance).names, scope.depth),
          "permissions",
          undefined,
        );
    } else if (type === "aws_iam_openid_connect_provider") {
      out.providers.push(provider(block, `${prefix}aws_iam_openid_connect_provider.${name}`, scope));
    }
  }
  for (let b = 0; b < mod.modules.length; b++) {
    const block = mod.modules[b] as Block;
    const target = calleeDir(block, mod, modules);
    const callee = target === undefined ? undefined : modules.loaded.get(target);
    if (target !== undefined && callee && !stack.includes(target) && stack.length < MAX_MODULE_DEPTH) {
      const label = block.labels[0] ?? "";
      const instances = instancesOf(block, scope);
      const budget = mod.budget;
      if (budget.moduleInstances + instances.length > LIMITS.moduleInstances) {
        // At least one instance of the callee has been read (or will be, on its own when nobody else calls it).
        budget.exceeded("moduleInstances", block.loc);
        if (!done.has(target)) instances.splice(1);
        else continue;
      }
      budget.moduleInstances += instances.length;
      for (let i = 0; i < instances.length; i++) {
        const instance = instances[i] as Instance;
        // One scope for the instance's arguments (scopes are never changed once made).
        const args = new ModuleArgs(block, scopeWith(scope, instance.names, scope.depth));
        const called = moduleInstance(callee.mod, args, budget);
        emitModule(callee, called, `${prefix}module.${label}${instance.key}.`, [...stack, target], modules, done);
      }
      continue;
    }
    const found = knownModulePolicies(block, scope);
    const out = fileOf(block);
    out.policies.push(...found.policies);
    out.providers.push(...found.providers);
  }
}

/** Whether `data.aws_iam_policy_document.X.json` (`index` undefined) or `X[index].json` names an instance of X (as `resolveTraversal` reads it). */
function documentInstance(document: Block, index: string | undefined, scope: Scope): boolean {
  if (!document.attrs.has("for_each") && !document.attrs.has("count")) return index === undefined;
  if (index === undefined) return false;
  const keys = new Set(["", `[${index}]`, `[${JSON.stringify(index)}]`]);
  return instancesOf(document, scopeWith(scope, NO_NAMES, scope.depth)).some((i) => keys.has(i.key));
}

function emitUnusedDocuments(m: LoadedModule, used: Set<Block>): void {
  const scope: Scope = {
    module: m.mod,
    names: NO_NAMES,
    depth: 0,
    policyDocument: policyDocumentTree,
  };
  m.mod.data.forEach((block, address) => {
    if (!address.startsWith("aws_iam_policy_document.") || used.has(block)) return;
    // A document without principals (a permissions policy) whose evaluation has no effect (`inert.ts`): nothing to judge.
    if (inertDocument(block, m.mod)) return;
    const tree = policyDocumentTree(block, scope);
    const doc = normalisePolicy(tree, { source: "aws_iam_policy_document" });
    if (doc) m.parsed.get(block.file.src.path)?.policies.push(doc);
  });
}

function byCodeUnit(a: { file: TfFile }, b: { file: TfFile }): number {
  const x = a.file.src.path;
  const y = b.file.src.path;
  return x < y ? -1 : x > y ? 1 : 0;
}

function tfvarsRank(path: string): number {
  return /(^|\/)terraform\.tfvars$/.test(path) ? 0 : /(^|\/)terraform\.tfvars\.json$/.test(path) ? 1 : 2;
}

function tfvarsOfJson(file: TfFile, tree: TreeNode): Block {
  const top: Block = { type: "", labels: [], attrs: new Map(), blocks: [], loc: tree.loc, file };
  if (tree.kind === "object")
    for (const e of tree.entries)
      top.attrs.set(e.key.value, { name: e.key.value, expr: { kind: "json", file, node: e.value }, loc: e.key.loc });
  return top;
}

function roleInfo(block: Block, address: string, scope: Scope): RoleInfo {
  const role: RoleInfo = { id: address, loc: block.loc };
  const name = roleString(block, "name", scope);
  if (name) role.name = name;
  const prefix = roleString(block, "name_prefix", scope);
  if (prefix) role.namePrefix = prefix;
  const path = roleString(block, "path", scope);
  if (path) role.path = path;
  return role;
}

function roleString(block: Block, attr: string, scope: Scope): ReturnType<typeof treeString> {
  const a = block.attrs.get(attr);
  return a ? treeString(evaluate(a.expr, scope)) : undefined;
}

function provider(block: Block, id: string, scope: Scope): OidcProvider {
  const p: OidcProvider = { id, loc: block.loc };
  const url = block.attrs.get("url");
  const clients = block.attrs.get("client_id_list");
  const thumbs = block.attrs.get("thumbprint_list");
  if (url) {
    const v = treeString(evaluate(url.expr, scope));
    if (v) p.url = v;
  }
  if (clients) p.clientIds = treeValueList(evaluate(clients.expr, scope));
  if (thumbs) p.thumbprints = treeValueList(evaluate(thumbs.expr, scope));
  return p;
}

function sourceName(expr: Expr, value: TreeNode): string {
  const text = expr.kind === "hcl" ? expr.file.src.text.slice(expr.start, Math.min(expr.end, expr.start + 40)) : "";
  if (text.startsWith("jsonencode")) return "jsonencode";
  if (text.startsWith("<<")) return "heredoc JSON";
  if (text.startsWith("templatefile")) return "templatefile()";
  if (text.startsWith("file")) return "file()";
  if (text.includes("aws_iam_policy_document")) return "aws_iam_policy_document";
  if (text.includes("template_file")) return "data.template_file";
  if (expr.kind === "json") return "Terraform JSON";
  return value.kind === "object" ? "Terraform expression" : "JSON string";
}

function addPolicy(out: ParsedFile, expr: Expr, scope: Scope, kind: PolicyKind, role: RoleInfo | undefined): void {
  const value = evaluate(expr, scope);
  const source = sourceName(expr, value);
  const ctx = { kind, source, ...(role ? { role } : {}) };
  const doc = policyFromValue(value, ctx, out);
  if (doc) out.policies.push(doc);
}

/** A policy given as a tree (jsonencode, policy document) or as JSON text (heredoc, file, template). */
export function policyFromValue(
  value: TreeNode,
  ctx: { kind: PolicyKind; source: string; role?: RoleInfo },
  out: ParsedFile,
): PolicyDocument | undefined {
  if (value.kind === "object") return normalisePolicy(policyConditionValues(value), ctx);
  if (value.kind !== "string") return undefined;
  const segments: Segment[] =
    stringSegments(value) ??
    value.value.parts.map((p) =>
      typeof p === "string"
        ? { text: p, locate: () => value.loc }
        : { node: { kind: "unknown", expr: p.unknown, loc: value.loc } },
    );
  if (segments.every((s) => "node" in s && s.node.kind === "unknown")) return undefined;
  const json = parseEmbeddedJson(segments);
  if ("error" in json) {
    out.problems.push({
      message: `The ${ctx.kind === "trust" ? "trust" : "policy"} document (${ctx.source}) is not valid JSON: ${json.error}; IAM would reject it (MalformedPolicyDocument).`,
      loc: json.loc,
    });
    return undefined;
  }
  return normalisePolicy(policyConditionValues(json.tree), ctx, value.loc);
}
