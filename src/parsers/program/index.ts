import { posix } from "node:path";
import { emptyParsed, type ParsedFile } from "../../model/project.js";
import type { ParseEnv, SourceFile } from "../source.js";
import { passesPrecheck, programFormat } from "./discovery.js";
import { MAX_STEPS, ModuleEval, type Budget, type ProgramHost } from "./interpreter.js";
import type { Expr, ProgramModule, Span, Stmt } from "./ir.js";
import type { BabelParse } from "./typescript.js";
import type { Definition } from "./libraries.js";
import { lowerDefinitions } from "./lower.js";

/**
 * AWS CDK, Pulumi and CDK for Terraform programs in TypeScript, JavaScript and Python, read statically:
 * each file that passes the textual pre-check is parsed (the parsers load on first use), lowered to the
 * program IR and evaluated; local modules it imports are read too (also when they do not pass the
 * pre-check: a config file of branch names). What the programs define — roles with the trust policy
 * their library synthesises, OIDC providers — becomes the same model every other format produces.
 */

/** Imported local modules above this size are not read (their names stay unknown). */
const MAX_MODULE_BYTES = 1024 * 1024;
const MAX_MODULES = 2_000;

type Language = ProgramModule["language"];

export async function parsePrograms(sources: SourceFile[], env: ParseEnv): Promise<ParsedFile[]> {
  const checked = sources.filter((s) => passesPrecheck(s.text));
  if (checked.length === 0) return [];
  const candidates = [...checked, ...entryPoints(sources, checked)];
  const lowerers = await loadLowerers(candidates);
  const byPath = new Map(sources.map((s) => [s.path, s]));
  const out = new Map<string, ParsedFile>();
  for (const src of candidates) out.set(src.path, emptyParsed(src.path, programFormat(src.text)));

  const defs: Definition[] = [];
  const budget: Budget = { steps: MAX_STEPS, exhausted: false };
  const modules = new Map<string, ModuleEval | null>();
  const host: ProgramHost = {
    budget,
    record: (d) => defs.push(d),
    importModule(fromFile, spec, language) {
      for (const path of candidatePaths(fromFile, spec, language)) {
        if (modules.has(path)) return modules.get(path) ?? undefined;
        const text = byPath.get(path)?.text ?? env.readFile(path);
        if (text === undefined) continue;
        if (text.length > MAX_MODULE_BYTES || modules.size > MAX_MODULES) {
          modules.set(path, null);
          return undefined;
        }
        modules.set(path, null);
        const mod = path.endsWith(".json")
          ? jsonModule(path, text, lowerers)
          : lowerOrProblem({ path, abs: path, text }, lowerers, undefined);
        const ev = mod ? new ModuleEval(mod, host) : undefined;
        modules.set(path, ev ?? null);
        return ev;
      }
      return undefined;
    },
  };

  const evals: ModuleEval[] = [];
  for (const src of candidates) {
    if (modules.has(src.path)) {
      const existing = modules.get(src.path);
      if (existing) evals.push(existing);
      continue;
    }
    const parsed = out.get(src.path);
    const mod = lowerOrProblem(src, lowerers, parsed);
    if (!mod) continue;
    const ev = new ModuleEval(mod, host);
    modules.set(src.path, ev);
    evals.push(ev);
  }
  for (const ev of evals) ev.run();
  // Functions and classes that no evaluated code called run once with unknown arguments: a module's before those
  // of the modules it imports, so that a stack nothing instantiates first calls the constructs it uses with the
  // arguments it passes (they are then called, and not run again with unknown ones).
  for (const ev of importersFirst(modules)) for (const run of ev.callables) run();
  if (budget.exhausted) {
    const at = budget.at;
    const file = (at && out.get(at.file)) ?? out.values().next().value;
    file?.problems.push({
      message: "the programs exceed oidclint's evaluation budget here; values past it are unknown",
      loc: at && at.file === file.file ? at : { file: file.file, line: 1, column: 1, endLine: 1, endColumn: 1 },
    });
  }

  lowerDefinitions(defs, out, "program");
  return [...out.values()];
}

/** The evaluated modules, each after every module that imports it (where imports form no cycle), else in order. */
function importersFirst(modules: ReadonlyMap<string, ModuleEval | null>): ModuleEval[] {
  const importers = new Map<string, string[]>();
  for (const [path, ev] of modules) {
    if (!ev) continue;
    for (const s of ev.mod.body) {
      if (s.k !== "import") continue;
      const target = candidatePaths(path, s.module, ev.mod.language).find((p) => modules.get(p));
      if (target === undefined || target === path) continue;
      const list = importers.get(target);
      if (list) list.push(path);
      else importers.set(target, [path]);
    }
  }
  const order: ModuleEval[] = [];
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const from of importers.get(path) ?? []) visit(from);
    const ev = modules.get(path);
    if (ev) order.push(ev);
  };
  for (const path of modules.keys()) visit(path);
  return order;
}

const TS_LOCAL_IMPORT = /(?:\bfrom|\brequire\s*\(|\bimport\s*\(?)\s*["'](\.{1,2}\/[^"'\n]*)["']/g;
const PY_IMPORT = /^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import\b|import[ \t]+([\w.]+))/gm;

/**
 * Files that do not pass the pre-check but import one that does: the app's entry point (a Pulumi
 * `index.ts` / `__main__.py`, a CDK `app.py` that imports only its stacks), which passes the literal
 * props, names and lists the stacks are built from.
 */
function entryPoints(sources: SourceFile[], checked: SourceFile[]): SourceFile[] {
  const programs = new Set(checked.map((s) => s.path));
  return sources.filter((s) => {
    if (programs.has(s.path)) return false;
    const language = languageOf(s.path);
    for (const m of s.text.matchAll(language === "typescript" ? TS_LOCAL_IMPORT : PY_IMPORT)) {
      const spec = m[1] ?? m[2];
      if (spec && candidatePaths(s.path, spec, language).some((p) => programs.has(p))) return true;
    }
    return false;
  });
}

interface Lowerers {
  typescript?: (file: string, text: string) => ProgramModule;
  python?: (file: string, text: string) => ProgramModule;
}

/** Loads only the parsers the candidate files need. */
async function loadLowerers(candidates: SourceFile[]): Promise<Lowerers> {
  const out: Lowerers = {};
  if (candidates.some((s) => languageOf(s.path) === "typescript")) {
    const [babel, { lowerTypeScript }] = await Promise.all([import("@babel/parser"), import("./typescript.js")]);
    // A CommonJS package: its functions are named exports under Node, `default`'s members in a bundle.
    const mod = babel as { parse?: BabelParse; default?: { parse?: BabelParse } };
    const parse = mod.parse ?? mod.default?.parse;
    if (!parse) throw new Error("@babel/parser has no parse function");
    out.typescript = (file, text) => lowerTypeScript(parse, file, text);
  }
  if (candidates.some((s) => languageOf(s.path) === "python")) {
    const { lowerPython } = await import("./python.js");
    out.python = lowerPython;
  }
  return out;
}

function languageOf(path: string): Language {
  return path.endsWith(".py") ? "python" : "typescript";
}

/**
 * A JSON file a program requires or imports (`require("./settings.json")`, `import settings from "./settings.json"`):
 * its object as `default` and each top-level key as a name, its values placed where the file writes them.
 * Undefined when it is not an object, or not JSON.
 */
function jsonModule(path: string, text: string, lowerers: Lowerers): ProgramModule | undefined {
  if (!lowerers.typescript || nestingDepthProblem(text) !== undefined || !isJson(text)) return undefined;
  // Read as the expression `(TEXT)`, then every offset moved back over the `(`.
  const wrapped = lowerers.typescript(`${path}.js`, `(${text}\n)`) as ProgramModule & { syntaxError?: unknown };
  const first = wrapped.body[0];
  if (wrapped.syntaxError !== undefined || wrapped.body.length !== 1 || first?.k !== "expr") return undefined;
  const value = shiftSpans(first.expr, -1) as Expr;
  if (value.k !== "object") return undefined;
  const body: Stmt[] = [
    { k: "let", target: { k: "name", name: "default", span: value.span }, init: value, span: value.span },
  ];
  const exports = new Map([["default", "default"]]);
  for (const e of value.entries) {
    if (!("key" in e) || e.key.k !== "str" || exports.has(e.key.text)) continue;
    const span: Span = e.key.span;
    body.push({ k: "let", target: { k: "name", name: e.key.text, span }, init: e.value, span });
    exports.set(e.key.text, e.key.text);
  }
  return { file: path, text, language: "typescript", body, exports };
}

/** What Node's `require` accepts for a `.json` file (it uses `JSON.parse`): not a JavaScript expression. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A copy of an IR tree with every offset (`from`, `to`, `contentFrom`) moved by `by`. */
function shiftSpans(node: unknown, by: number, depth = 0): unknown {
  if (depth > MAX_NESTING + 10 || node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) return node.map((n) => shiftSpans(n, by, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] =
      (k === "from" || k === "to" || k === "contentFrom") && typeof v === "number"
        ? v + by
        : shiftSpans(v, by, depth + 1);
  }
  return out;
}

/** A module in the IR, or undefined (with a problem on the file when it is a linted one) when it cannot be read. */
function lowerOrProblem(
  src: SourceFile,
  lowerers: Lowerers,
  parsed: ParsedFile | undefined,
): ProgramModule | undefined {
  const lower = lowerers[languageOf(src.path)];
  if (!lower) return undefined;
  const deep = nestingDepthProblem(src.text);
  if (deep !== undefined) {
    parsed?.problems.push({ message: `nesting deeper than ${MAX_NESTING} levels; not linted`, loc: spanAt(src, deep) });
    return undefined;
  }
  const mod = lower(src.path, src.text);
  const syntax = (mod as ProgramModule & { syntaxError?: { message: string; offset: number } }).syntaxError;
  if (syntax && parsed) parsed.problems.push({ message: syntax.message, loc: spanAt(src, syntax.offset) });
  return mod;
}

const MAX_NESTING = 200;

/** Parsers recurse per bracket: a hostile file of 100,000 `(` is refused before parsing. */
function nestingDepthProblem(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > MAX_NESTING) return i;
    } else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}

function spanAt(src: SourceFile, offset: number): ParsedFile["problems"][number]["loc"] {
  const before = src.text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { file: src.path, line, column, endLine: line, endColumn: column + 1 };
}

/** Files an import may name: `./x` → `x.ts`, `x/index.ts`, …; Python `.config`/`stacks.config` → `config.py`, … */
function candidatePaths(fromFile: string, spec: string, language: Language): string[] {
  const dir = posix.dirname(fromFile);
  const inside = (p: string): string | undefined => {
    const n = posix.normalize(p);
    return n.startsWith("../") || n === ".." || posix.isAbsolute(n) ? undefined : n;
  };
  const out: string[] = [];
  if (language === "typescript") {
    if (!spec.startsWith(".")) return [];
    const base = posix.join(dir, spec);
    const stem = base.replace(/\.(m|c)?js$/, "");
    for (const p of [
      base,
      `${stem}.ts`,
      `${stem}.tsx`,
      `${stem}.mts`,
      `${stem}.js`,
      `${stem}.mjs`,
      `${stem}.cjs`,
      `${base}/index.ts`,
      `${base}/index.js`,
    ]) {
      const n = inside(p);
      if (n !== undefined && !out.includes(n)) out.push(n);
    }
    return out;
  }
  // Python: leading dots climb from the file's package; an absolute module may be a file of the project.
  const m = /^(\.*)(.*)$/.exec(spec);
  const dots = m?.[1]?.length ?? 0;
  const rel = (m?.[2] ?? "")
    .split(".")
    .filter((x) => x !== "")
    .join("/");
  const bases: string[] = [];
  if (dots > 0) {
    let d = dir;
    for (let i = 1; i < dots; i++) d = posix.dirname(d);
    bases.push(d);
  } else {
    // Absolute imports resolve against the file's directory and each directory above it (the project root),
    // and against a `src/` beside each (the src layout: `src/pkg/…` imported as `pkg`).
    for (let d = dir; ; d = posix.dirname(d)) {
      bases.push(d, posix.join(d, "src"));
      if (d === "." || d === "/" || d === "") break;
    }
  }
  for (const b of bases) {
    const base = rel === "" ? b : posix.join(b, rel);
    for (const p of [`${base}.py`, `${base}/__init__.py`]) {
      const n = inside(p);
      if (n !== undefined && !out.includes(n)) out.push(n);
    }
  }
  return out;
}

const CDK_OUT_TEMPLATE = /^(?:(.*)\/)?cdk\.out\/[^/]+\.template\.json$/;

/**
 * A repository with both a CDK app's source and its synthesized `cdk.out` reports each problem once,
 * where the source writes it: the source is what the user edits, and `cdk.out` is build output that
 * lags behind it. So the templates of a `cdk.out` are dropped when a CDK program in the directory that
 * holds it (or below) defined roles or providers; when the source defined none (its roles come from
 * constructs oidclint does not model), the synthesized templates are all there is and are kept.
 */
export function preferProgramSource(parsed: ParsedFile[]): ParsedFile[] {
  const sourceDirs = parsed
    .filter((f) => f.format === "cdk" && (f.policies.length > 0 || f.providers.length > 0))
    .map((f) => posix.dirname(f.file));
  if (sourceDirs.length === 0) return parsed;
  return parsed.filter((f) => {
    const m = CDK_OUT_TEMPLATE.exec(f.file);
    if (!m) return true;
    const app = m[1] ?? ".";
    return !sourceDirs.some((d) => app === "." || d === app || d.startsWith(`${app}/`));
  });
}
