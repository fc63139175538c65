import { ModelCompactor } from "../model/compact.js";
import { emptyParsed, type ParsedFile } from "../model/project.js";
import { FORMATS, batchFormatOf, type Format } from "./formats.js";
import type { ParseEnv, SourceFile } from "./source.js";

export { INPUT_GLOBS, isInputByPath, isInputPath, looksLikeInput, mayBeInput } from "./formats.js";

/** Never inputs, wherever they are: dependency and tool folders, CDK's bookkeeping and assets. */
export const ALWAYS_IGNORED = [
  "**/node_modules/**",
  "**/.git/**",
  "**/.terraform/**",
  "**/cdk.out/asset.*/**",
  "**/cdk.out/tree.json",
  "**/cdk.out/manifest.json",
  "**/cdk.out/*.assets.json",
  "**/package.json",
  "**/package-lock.json",
  "**/tsconfig*.json",
];

/**
 * Files that another tool renders before they mean anything: a path with a `{{…}}` segment (cookiecutter, copier
 * and other Jinja-style project templates, as `sam init` ships them). Their text is Jinja, not YAML or HCL, and the
 * values in them are placeholders; the project rendered from them is what gets linted.
 */
export function isTemplateOfAnotherTool(path: string): boolean {
  return /(^|\/)[^/]*\{\{[^/]*\}\}[^/]*(\/|$)/.test(path);
}

/** Parses one file that is not read in a batch: the first format whose path test, pre-check and parser accept it. */
export async function parseDocumentFile(src: SourceFile, env: ParseEnv): Promise<ParsedFile | undefined> {
  for (const format of FORMATS) {
    if (
      format.parser.kind !== "file" ||
      !format.matchesPath(src.path) ||
      (format.sniff && !format.sniff(src.text, src.path))
    )
      continue;
    const parse = await format.parser.load();
    const parsed = await parse(src, env);
    if (parsed) return withFacts(format, [parsed])[0];
  }
  return undefined;
}

/**
 * Files parsed after every other file, one at a time, each handed over as soon as it is parsed
 * (src/engine/workflow-stream.ts: workflow files, whose models the run need not keep).
 */
export interface LaterFiles {
  matches(path: string): boolean;
  /** Called once every other file is parsed (even when no file is parsed later), with their models in project order. */
  start(others: ParsedFile[]): Promise<void>;
  /** Each later file's model as soon as it is parsed; returns what the run keeps of it. */
  each(file: ParsedFile): Promise<ParsedFile>;
}

/**
 * Parses every input; one file's failure never stops the others. In a run of more than `COMPACT_ABOVE` inputs
 * each model the run keeps is compacted as soon as its parser returns (`ModelCompactor`): the run keeps models,
 * not what the parsers built them from, while it parses the files after them. The models of a batch parsed
 * last (no batch and no `later` file after it: a directory of Terraform modules) are not: their parse, which
 * holds every module's text and trees at once, was the run's peak, and compacting them then costs time and
 * fresh memory for no lower peak (issue 13: ≈ 20 ms CPU and 1.5 MB on 1,706 real `.tf` files). The files
 * `later` matches are parsed last and come back at their place in project order, as `later.each` left them.
 */
export async function parseAll(
  sources: SourceFile[],
  env: ParseEnv,
  /** Called with each file once its parser is done with its text. */
  parsed?: (src: SourceFile) => void,
  later?: LaterFiles,
): Promise<ParsedFile[]> {
  const out: ParsedFile[] = [];
  const batches = new Map<Format, SourceFile[]>();
  const compactor = sources.length > COMPACT_ABOVE ? new ModelCompactor() : undefined;
  /** Later files by the placeholder that holds their place in `out`. */
  const places = new Map<ParsedFile, SourceFile>();
  for (const src of sources) {
    const batch = batchFormatOf(src.path);
    if (batch) {
      const files = batches.get(batch);
      if (files) files.push(src);
      else batches.set(batch, [src]);
      continue;
    }
    if (later?.matches(src.path)) {
      const place = emptyParsed(src.path, "later");
      places.set(place, src);
      out.push(place);
      continue;
    }
    const model = await parseOne(src, env);
    parsed?.(src);
    if (model) {
      compactor?.compact([model]);
      out.push(model);
    }
  }
  let all = out;
  // Batches in registry order (Terraform before programs, whose reconciliation sees everything else).
  const batchOrder = FORMATS.filter((f) => f.parser.kind === "batch" && batches.has(f));
  for (const format of batchOrder) {
    const files = batches.get(format);
    if (!files || format.parser.kind !== "batch") continue;
    const parsedLast = format === batchOrder[batchOrder.length - 1] && places.size === 0;
    const parser = format.parser;
    try {
      const models = await unlessStalled(parser.load().then((parse) => parse(files, env)));
      if (models === STALLED) {
        for (const src of files) all.push(stalledProblem(src));
        continue;
      }
      if (!parsedLast) compactor?.compact(models);
      for (const f of withFacts(format, models)) all.push(f);
      if (parser.reconcile) all = (await parser.reconcile())(all);
    } catch (e) {
      for (const src of files) all.push(internalProblem(src, e));
    }
    if (parsed) for (const src of files) parsed(src);
  }
  if (!later) return all;
  await later.start(all.filter((f) => !places.has(f)));
  const done = new Map<ParsedFile, ParsedFile | undefined>();
  for (const [place, src] of places) {
    const model = await parseOne(src, env);
    parsed?.(src);
    const kept = model && (await later.each(model));
    if (kept) compactor?.compact([kept]);
    done.set(place, kept);
  }
  return all.flatMap((f) => (places.has(f) ? (done.get(f) ?? []) : [f]));
}

/** Parses one file as `parseAll` does (also a workflow file whose model a run dropped, then needed). */
export async function parseOne(src: SourceFile, env: ParseEnv): Promise<ParsedFile | undefined> {
  return guarded(src, () => parseDocumentFile(src, env));
}

/**
 * Models are compacted only when the run holds more inputs than this. Compaction is pure cost for a run of few
 * files (≈ 95 ms of the 1 MiB policy's lint, ≈ 5–8 % of the CPU on 1,238 real workflows) and saves memory that
 * only matters at scale: measured on generated workflows (BENCHMARKS.md, "Session 5: memory"), peak RSS
 * without / with compaction is 120 / 107 MiB at 1,000 files, 133 / 117 MiB at 1,500, 147 / 126 MiB at 2,000
 * and 233 / 173 MiB at 5,000. Up to 1,500 inputs the peak stays well under the 150 MiB goal for 10,000
 * workflows either way.
 */
export const COMPACT_ABOVE = 1500;

/** What a parse that never finished resolves to. */
const STALLED: unique symbol = Symbol("stalled");

/**
 * How long a parse may stay pending while the process has other work (a server calling `lint()`); in a
 * process with nothing else to do, a parse that can no longer finish is given up at once (below).
 */
export const PARSE_STALL_MS = 60_000;

/**
 * `work`, or `STALLED` when it cannot finish: the process ran out of work while it was pending (a promise
 * that never settles; Node emits `beforeExit`), or it stayed pending for `PARSE_STALL_MS`. The timer does not
 * keep the process alive. So `lint()` always resolves, and the stalled file is reported, not the run lost.
 */
function unlessStalled<T>(work: Promise<T>): Promise<T | typeof STALLED> {
  return new Promise((resolve, reject) => {
    const stall = (): void => {
      stop();
      resolve(STALLED);
    };
    const timer = setTimeout(stall, PARSE_STALL_MS);
    timer.unref();
    const stop = (): void => {
      clearTimeout(timer);
      process.off("beforeExit", stall);
    };
    process.on("beforeExit", stall);
    work.then(
      (v) => {
        stop();
        resolve(v);
      },
      (e: unknown) => {
        stop();
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function withFacts(format: Format, files: ParsedFile[]): ParsedFile[] {
  for (const f of files) f.facts = format.facts;
  return files;
}

async function guarded(src: SourceFile, fn: () => Promise<ParsedFile | undefined>): Promise<ParsedFile | undefined> {
  try {
    const parsed = await unlessStalled(fn());
    return parsed === STALLED ? stalledProblem(src) : parsed;
  } catch (e) {
    return internalProblem(src, e);
  }
}

/** A parse that never finished: a finding on the file, marked so that the run ends with exit code 2. */
function stalledProblem(src: SourceFile): ParsedFile {
  const out = emptyParsed(src.path, "unknown");
  out.problems.push({
    message: "oidclint could not read this file (internal error: its parser never finished); please report it",
    loc: { file: src.path, line: 1, column: 1, endLine: 1, endColumn: 1 },
    unfinished: true,
  });
  return out;
}

/** A parser bug must not take the run down: it becomes a finding on the file (stack under OIDCLINT_DEBUG). */
export function internalProblem(src: SourceFile, e: unknown): ParsedFile {
  if (process.env.OIDCLINT_DEBUG) console.error(e);
  const message = e instanceof Error ? e.message : String(e);
  const out = emptyParsed(src.path, "unknown");
  out.problems.push({
    message: `oidclint could not read this file (internal error: ${message}); please report it`,
    loc: { file: src.path, line: 1, column: 1, endLine: 1, endColumn: 1 },
  });
  return out;
}
