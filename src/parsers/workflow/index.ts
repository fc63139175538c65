import { posix } from "node:path";
import { FAILSAFE_SCHEMA, load } from "js-yaml";
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from "yaml";
import type { LineIndex, Located, SourceLocation } from "../../model/location.js";
import { emptyParsed, type ParsedFile } from "../../model/project.js";
import type { StrValue } from "../../model/value.js";
import type {
  CompositeAction,
  Job,
  Permissions,
  Step,
  Trigger,
  TriggerFilter,
  Workflow,
} from "../../model/workflow.js";
import type { ParseEnv, SourceFile } from "../source.js";
import { locatedScalar, nestingProblem, nodeLoc, parseYamlSource, scalarString } from "../yaml-source.js";
import { expressionValue, isWholeExpression } from "./expression.js";
import { expandMatrix, type MatrixNode } from "./matrix.js";
import { workflowMayMatter } from "./relevance.js";

/** What every reader of one file needs: the document (to follow aliases) and the line index. */
interface Reader {
  doc: Document.Parsed;
  index: LineIndex;
}

/** A node with aliases followed (a bounded number of hops: an alias chain cannot loop forever). */
function deref(r: Reader, node: unknown): unknown {
  let cur = node;
  for (let hops = 0; hops < 8 && isAlias(cur); hops++) cur = cur.resolve(r.doc);
  return isAlias(cur) ? undefined : cur;
}

function pairsOf(r: Reader, node: unknown): Pair[] {
  const n = deref(r, node);
  return isMap(n) ? n.items.filter(isPair) : [];
}

function pairKey(r: Reader, pair: Pair): string | undefined {
  return scalarString(deref(r, pair.key));
}

function findPair(r: Reader, map: unknown, key: string): Pair | undefined {
  return pairsOf(r, map).find((p) => pairKey(r, p) === key);
}

function valueOf(r: Reader, map: unknown, key: string): unknown {
  const pair = findPair(r, map, key);
  return pair ? deref(r, pair.value) : undefined;
}

function locOf(r: Reader, node: unknown): SourceLocation {
  return nodeLoc(node as Node | null | undefined, r.index);
}

function located(r: Reader, node: unknown): Located<string> | undefined {
  return locatedScalar(deref(r, node), r.index);
}

/** A string value of the model from any scalar (`true`, `3600` included); expressions become unknowns. */
function strValue(r: Reader, node: unknown, fallback: SourceLocation): StrValue | undefined {
  const n = deref(r, node);
  const loc = n ? locOf(r, n) : fallback;
  if (isScalar(n)) {
    if (n.value === null) return { parts: [""], loc };
    const text = scalarString(n);
    return expressionValue(text ?? n.source ?? "", loc);
  }
  if (isMap(n) || isSeq(n)) return { parts: [{ unknown: "a YAML collection" }], loc };
  return undefined;
}

/** A scalar or a list of scalars, as located strings (`branches: main` and `branches: [main, dev]`). */
function stringList(r: Reader, node: unknown): Located<string>[] {
  const n = deref(r, node);
  if (isSeq(n)) return n.items.map((i) => located(r, i)).filter((v): v is Located<string> => v !== undefined);
  const one = located(r, n);
  return one ? [one] : [];
}

function stringMap(r: Reader, node: unknown): { values: Map<string, StrValue>; keys: Map<string, SourceLocation> } {
  const values = new Map<string, StrValue>();
  const keys = new Map<string, SourceLocation>();
  for (const pair of pairsOf(r, node)) {
    const key = pairKey(r, pair);
    if (key === undefined) continue;
    const keyLoc = locOf(r, pair.key);
    const value = strValue(r, pair.value, keyLoc);
    if (value) values.set(key, value);
    keys.set(key, keyLoc);
  }
  return { values, keys };
}

const FILTER_KEYS: Record<string, keyof TriggerFilter> = {
  branches: "branches",
  "branches-ignore": "branchesIgnore",
  tags: "tags",
  "tags-ignore": "tagsIgnore",
  paths: "paths",
  "paths-ignore": "pathsIgnore",
  types: "types",
  workflows: "workflows",
};

function readTriggers(r: Reader, node: unknown): Trigger[] {
  const n = deref(r, node);
  if (isScalar(n) || isSeq(n)) return stringList(r, n).map((event) => ({ event, filter: {} }));
  const out: Trigger[] = [];
  for (const pair of pairsOf(r, n)) {
    const event = located(r, pair.key);
    if (!event) continue;
    const filter: TriggerFilter = {};
    for (const f of pairsOf(r, pair.value)) {
      const name = pairKey(r, f);
      const field = name === undefined ? undefined : FILTER_KEYS[name];
      if (field) filter[field] = stringList(r, f.value);
    }
    out.push({ event, filter });
  }
  return out;
}

function readPermissions(r: Reader, pair: Pair): Permissions {
  const keyLoc = locOf(r, pair.key);
  const value = deref(r, pair.value);
  const loc = value ? locOf(r, value) : keyLoc;
  const scopes = new Map<string, Located<string>>();
  const scopeKeys = new Map<string, SourceLocation>();
  if (isMap(value)) {
    for (const p of value.items) {
      if (!isPair(p)) continue;
      const name = pairKey(r, p);
      const level = located(r, p.value);
      if (name === undefined) continue;
      scopeKeys.set(name, locOf(r, p.key));
      if (level) scopes.set(name, level);
    }
    return { kind: value.items.length === 0 ? "empty" : "map", scopes, scopeKeys, loc, keyLoc };
  }
  const text = scalarString(value);
  const kind = text === "read-all" || text === "write-all" ? text : "unknown";
  return { kind, scopes, loc, keyLoc };
}

function readSteps(r: Reader, node: unknown): Step[] {
  const n = deref(r, node);
  if (!isSeq(n)) return [];
  const steps: Step[] = [];
  for (const item of n.items) {
    const s = deref(r, item);
    if (!isMap(s)) continue;
    const loc = locOf(r, s);
    const withMap = stringMap(r, valueOf(r, s, "with"));
    const step: Step = {
      with: withMap.values,
      withKeys: withMap.keys,
      env: stringMap(r, valueOf(r, s, "env")).values,
      loc,
    };
    const id = located(r, valueOf(r, s, "id"));
    const name = id ?? located(r, valueOf(r, s, "name"));
    if (id) step.id = id;
    if (name) step.name = name;
    const uses = located(r, valueOf(r, s, "uses"));
    if (uses) step.uses = uses;
    const run = located(r, valueOf(r, s, "run"));
    if (run) step.run = run;
    const cond = located(r, valueOf(r, s, "if"));
    if (cond) step.if = cond;
    steps.push(step);
  }
  return steps;
}

/** A `strategy.matrix` node as a tree; an expression (`${{ fromJSON(…) }}`) stays unknown. */
function matrixNode(r: Reader, node: unknown, depth = 0): MatrixNode {
  const n = deref(r, node);
  if (depth > 16) return { kind: "unknown", why: "the matrix is nested too deeply" };
  if (isMap(n)) {
    const entries = new Map<string, MatrixNode>();
    for (const pair of n.items) {
      const key = isPair(pair) ? pairKey(r, pair) : undefined;
      if (key !== undefined && isPair(pair)) entries.set(key, matrixNode(r, pair.value, depth + 1));
    }
    return { kind: "map", entries };
  }
  if (isSeq(n)) return { kind: "list", items: n.items.map((i) => matrixNode(r, i, depth + 1)), loc: locOf(r, n) };
  const value = strValue(r, n, locOf(r, n));
  if (!value) return { kind: "unknown", why: "an empty matrix value" };
  const text = isScalar(n) ? scalarString(n) : undefined;
  if (text !== undefined && isWholeExpression(text))
    return { kind: "unknown", why: `the matrix comes from an expression (\`${text.trim()}\`)` };
  return { kind: "scalar", value };
}

function readJob(r: Reader, pair: Pair): Job | undefined {
  const id = located(r, pair.key);
  const body = deref(r, pair.value);
  if (!id || !isMap(body)) return undefined;
  const withMap = stringMap(r, valueOf(r, body, "with"));
  const job: Job = { id, steps: readSteps(r, valueOf(r, body, "steps")), with: withMap.values, loc: locOf(r, body) };
  const name = located(r, valueOf(r, body, "name"));
  if (name) job.name = name;
  const perms = findPair(r, body, "permissions");
  if (perms) job.permissions = readPermissions(r, perms);
  const envPair = findPair(r, body, "environment");
  if (envPair) {
    const env = deref(r, envPair.value);
    if (isMap(env)) {
      const envName = strValue(r, valueOf(r, env, "name"), locOf(r, env));
      if (envName && findPair(r, env, "name")) job.environment = envName;
      const url = findPair(r, env, "url");
      const urlValue = url ? strValue(r, url.value, locOf(r, url.key)) : undefined;
      if (urlValue) job.environmentUrl = urlValue;
    } else {
      const envName = strValue(r, env, locOf(r, envPair.key));
      if (envName && !(envName.parts.length === 1 && envName.parts[0] === "")) job.environment = envName;
    }
  }
  const uses = located(r, valueOf(r, body, "uses"));
  if (uses) job.uses = uses;
  const cond = located(r, valueOf(r, body, "if"));
  if (cond) job.if = cond;
  const env = findPair(r, body, "env");
  if (env) job.env = stringMap(r, env.value).values;
  const matrix = findPair(r, valueOf(r, body, "strategy"), "matrix");
  if (matrix) job.matrix = expandMatrix(matrixNode(r, matrix.value), locOf(r, matrix.key));
  return job;
}

function problemFile(src: SourceFile, format: string, problems: ParsedFile["problems"]): ParsedFile {
  const out = emptyParsed(src.path, format);
  out.problems.push(...problems);
  return out;
}

/**
 * A workflow the rules cannot read anything in (`workflowMayMatter`) is only checked for syntax, by
 * js-yaml (about a tenth of the cost of building the `yaml` document the model is read from). When js-yaml
 * accepts the file and its root is a mapping (or the file is empty), the file has no model; anything else
 * (js-yaml refuses it, another root, nesting past the limit) goes the full way, so that a broken file gets
 * the same `parse-error`, with the same message and place, as without the filter. The two parsers judge a
 * few inputs differently; those known (from 1,238 real workflows) go the full way too: quoted strings
 * continued on the next line (`workflowMayMatter`) and a byte-order mark (js-yaml drops it, `yaml` counts it
 * as a column).
 */
function skipIrrelevant(src: SourceFile): ParsedFile | undefined {
  if (src.text.charCodeAt(0) === 0xfeff || workflowMayMatter(src.text) || nestingProblem(src.text)) return undefined;
  let root: unknown;
  try {
    root = load(src.text, { schema: FAILSAFE_SCHEMA });
  } catch {
    return undefined;
  }
  if (root !== null && root !== undefined && (typeof root !== "object" || Array.isArray(root))) return undefined;
  return emptyParsed(src.path, "workflow");
}

/** A GitHub workflow (`.github/workflows/*.yml|yaml`). */
export function parseWorkflow(src: SourceFile, parseEnv: ParseEnv): ParsedFile {
  const skipped = parseEnv.workflowPrefilter ? skipIrrelevant(src) : undefined;
  if (skipped) return skipped;
  const parsed = parseYamlSource(src.path, src.text);
  if (parsed.problems.length > 0) return problemFile(src, "workflow", parsed.problems);
  const r: Reader = { doc: parsed.doc, index: parsed.index };
  const root = deref(r, parsed.doc.contents);
  const out = emptyParsed(src.path, "workflow");
  if (root === null || root === undefined || (isScalar(root) && root.value === null)) return out;
  if (!isMap(root)) {
    out.problems.push({
      message: "A workflow must be a mapping with `on` and `jobs`; this file holds something else",
      loc: locOf(r, root),
    });
    return out;
  }
  const workflow: Workflow = { file: src.path, kind: "workflow", triggers: [], jobs: [], loc: locOf(r, root) };
  const name = located(r, valueOf(r, root, "name"));
  if (name) workflow.name = name;
  const on = findPair(r, root, "on");
  if (on) {
    workflow.onLoc = locOf(r, on.key);
    workflow.triggers = readTriggers(r, on.value);
  }
  const perms = findPair(r, root, "permissions");
  if (perms) workflow.permissions = readPermissions(r, perms);
  const env = findPair(r, root, "env");
  if (env) workflow.env = stringMap(r, env.value).values;
  for (const pair of pairsOf(r, valueOf(r, root, "jobs"))) {
    const job = readJob(r, pair);
    if (job) workflow.jobs.push(job);
  }
  out.workflows.push(workflow);
  return out;
}

/** A composite action (`action.yml` with `runs.using: composite`); any other action is not read. */
export function parseAction(src: SourceFile, _env: ParseEnv): ParsedFile | undefined {
  if (!/\busing["']?\s*:\s*["']?composite/i.test(src.text)) return undefined;
  const parsed = parseYamlSource(src.path, src.text);
  if (parsed.problems.length > 0) return problemFile(src, "action", parsed.problems);
  const r: Reader = { doc: parsed.doc, index: parsed.index };
  const root = deref(r, parsed.doc.contents);
  if (!isMap(root)) return undefined;
  const runs = valueOf(r, root, "runs");
  if (scalarString(valueOf(r, runs, "using"))?.toLowerCase() !== "composite") return undefined;
  const inputs: CompositeAction["inputs"] = new Map();
  for (const pair of pairsOf(r, valueOf(r, root, "inputs"))) {
    const key = pairKey(r, pair);
    if (key === undefined) continue;
    const input: { default?: StrValue; loc: SourceLocation } = { loc: locOf(r, pair.key) };
    const def = findPair(r, pair.value, "default");
    const value = def ? strValue(r, def.value, locOf(r, def.key)) : undefined;
    if (value) input.default = value;
    inputs.set(key, input);
  }
  const dir = posix.dirname(src.path);
  const action: CompositeAction = {
    file: src.path,
    kind: "composite-action",
    dir,
    inputs,
    steps: readSteps(r, valueOf(r, runs, "steps")),
    loc: locOf(r, root),
  };
  const out = emptyParsed(src.path, "action");
  out.actions.push(action);
  return out;
}
