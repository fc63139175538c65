import { posix } from "node:path";
import { LineIndex, type Located, type SourceLocation } from "../../model/location.js";
import { EMPTY_MAP } from "../../model/compact.js";
import { emptyParsed, type ParsedFile, type ParseProblem } from "../../model/project.js";
import type { StrValue } from "../../model/value.js";
import type {
  CompositeAction,
  Job,
  Permissions,
  Step,
  Trigger,
  TriggerFilter,
  Workflow,
  WorkflowTriggers,
} from "../../model/workflow.js";
import type { ParseEnv, SourceFile } from "../source.js";
import { nestingProblem, parseYamlSource } from "../yaml-source.js";
import { expressionValue, isWholeExpression } from "./expression.js";
import { expandMatrix, type MatrixNode } from "./matrix.js";
import { plainYamlTree } from "./plain-yaml.js";
import { workflowMayMatter } from "./relevance.js";
import { fastYamlTree, yamlDocumentTree, type YNode, type YPair } from "./yaml-tree.js";

/** What every reader of one file needs: the line index, for the locations the model keeps. */
interface Reader {
  index: LineIndex;
}

/** A node with its alias followed (an alias never names another alias). */
function deref(node: YNode | null | undefined): YNode | undefined {
  if (!node) return undefined;
  return node.kind === "alias" ? node.target : node;
}

function pairsOf(node: YNode | null | undefined): YPair[] {
  const n = deref(node);
  return n?.kind === "map" ? n.pairs : [];
}

/** Text of a scalar (`true` and `3600` as written in the core schema's terms), or undefined. */
function scalarString(node: YNode | undefined): string | undefined {
  if (node?.kind !== "scalar") return undefined;
  const v = node.value;
  return v === null ? undefined : typeof v === "string" ? v : String(v);
}

function pairKey(pair: YPair): string | undefined {
  return scalarString(deref(pair.key));
}

function findPair(map: YNode | null | undefined, key: string): YPair | undefined {
  return pairsOf(map).find((p) => pairKey(p) === key);
}

function valueOf(map: YNode | null | undefined, key: string): YNode | undefined {
  return deref(findPair(map, key)?.value);
}

function locOf(r: Reader, node: YNode | null | undefined): SourceLocation {
  return node ? r.index.span(node.start, node.end) : r.index.span(0, 0);
}

function located(r: Reader, node: YNode | null | undefined): Located<string> | undefined {
  const n = deref(node);
  const value = scalarString(n);
  return value === undefined ? undefined : { value, loc: locOf(r, n) };
}

/** A string value of the model from any scalar (`true`, `3600` included); expressions become unknowns. */
function strValue(r: Reader, node: YNode | null | undefined): StrValue | undefined {
  const n = deref(node);
  if (!n) return undefined;
  const loc = locOf(r, n);
  if (n.kind === "scalar") return n.value === null ? { parts: [""], loc } : expressionValue(scalarString(n) ?? "", loc);
  return n.kind === "map" || n.kind === "seq" ? { parts: [{ unknown: "a YAML collection" }], loc } : undefined;
}

/** A scalar or a list of scalars, as located strings (`branches: main` and `branches: [main, dev]`). */
function stringList(r: Reader, node: YNode | null | undefined): Located<string>[] {
  const n = deref(node);
  if (n?.kind === "seq") return n.items.map((i) => located(r, i)).filter((v): v is Located<string> => v !== undefined);
  const one = located(r, n);
  return one ? [one] : [];
}

/** The compactor's empty map (it refuses changes, as every map of a compacted model does). */
const NO_VALUES = EMPTY_MAP as unknown as Map<string, StrValue>;

/**
 * A mapping's string values by key (`env`, `with`). Most steps have no `with` or `env`: those share the run's
 * empty map (the one the model compactor gives every empty map) instead of a new one each.
 */
function stringMap(r: Reader, node: YNode | null | undefined): Map<string, StrValue> {
  const pairs = pairsOf(node);
  if (pairs.length === 0) return NO_VALUES;
  const values = new Map<string, StrValue>();
  for (const pair of pairs) {
    const key = pairKey(pair);
    if (key === undefined) continue;
    const value = strValue(r, pair.value);
    if (value) values.set(key, value);
  }
  return values;
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

function readTriggers(r: Reader, node: YNode | null | undefined): Trigger[] {
  const n = deref(node);
  if (n?.kind === "scalar" || n?.kind === "seq") return stringList(r, n).map((event) => ({ event, filter: {} }));
  const out: Trigger[] = [];
  for (const pair of pairsOf(n)) {
    const event = located(r, pair.key);
    if (!event) continue;
    const filter: TriggerFilter = {};
    for (const f of pairsOf(pair.value)) {
      const name = pairKey(f);
      const field = name === undefined ? undefined : FILTER_KEYS[name];
      if (field) filter[field] = stringList(r, f.value);
    }
    out.push({ event, filter });
  }
  return out;
}

/** A workflow's name and trigger events without its model (`ParsedFile.workflowTriggers`). */
function triggerSummary(file: string, root: YNode): WorkflowTriggers {
  const on = valueOf(root, "on");
  const texts = (n: YNode | undefined): string[] =>
    n?.kind === "seq"
      ? n.items.map((i) => scalarString(deref(i))).filter((v): v is string => v !== undefined)
      : [scalarString(n)].filter((v): v is string => v !== undefined);
  const events = on?.kind === "map" ? on.pairs.map(pairKey).filter((v): v is string => v !== undefined) : texts(on);
  return {
    name: scalarString(valueOf(root, "name")) ?? file,
    events,
    follows: texts(valueOf(valueOf(on, "workflow_run"), "workflows")),
  };
}

function readPermissions(r: Reader, pair: YPair): Permissions {
  const keyLoc = locOf(r, pair.key);
  const value = deref(pair.value);
  const loc = value ? locOf(r, value) : keyLoc;
  const scopes = new Map<string, Located<string>>();
  const scopeKeys = new Map<string, SourceLocation>();
  if (value?.kind === "map") {
    for (const p of value.pairs) {
      const name = pairKey(p);
      const level = located(r, p.value);
      if (name === undefined) continue;
      scopeKeys.set(name, locOf(r, p.key));
      if (level) scopes.set(name, level);
    }
    return { kind: value.pairs.length === 0 ? "empty" : "map", scopes, scopeKeys, loc, keyLoc };
  }
  const text = scalarString(value);
  const kind = text === "read-all" || text === "write-all" ? text : "unknown";
  return { kind, scopes, loc, keyLoc };
}

/**
 * The pairs a step, a job or a workflow is read for, found in one pass over its mapping: the first pair of each
 * name (as a lookup by name finds it), at that name's place in `names`.
 */
function fieldsOf(node: YNode, names: readonly string[]): (YPair | undefined)[] {
  const out = new Array<YPair | undefined>(names.length).fill(undefined);
  for (const pair of pairsOf(node)) {
    const key = pairKey(pair);
    const at = key === undefined ? -1 : names.indexOf(key);
    if (at >= 0) out[at] ??= pair;
  }
  return out;
}

const STEP_FIELDS = ["with", "env", "id", "name", "uses", "run", "if"];

function readSteps(r: Reader, node: YNode | null | undefined): Step[] {
  const n = deref(node);
  if (n?.kind !== "seq") return [];
  const steps: Step[] = [];
  for (const item of n.items) {
    const s = deref(item);
    if (s?.kind !== "map") continue;
    const [withPair, envPair, idPair, namePair, usesPair, runPair, ifPair] = fieldsOf(s, STEP_FIELDS);
    const id = located(r, idPair?.value);
    // One object literal with every field (absent ones undefined): fields added afterwards would each go to
    // a separate property store.
    steps.push({
      name: id ?? located(r, namePair?.value),
      uses: located(r, usesPair?.value),
      with: stringMap(r, withPair?.value),
      run: located(r, runPair?.value),
      env: stringMap(r, envPair?.value),
      loc: locOf(r, s),
      id,
      if: located(r, ifPair?.value),
    });
  }
  return steps;
}

/** A `strategy.matrix` node as a tree; an expression (`${{ fromJSON(…) }}`) stays unknown. */
function matrixNode(r: Reader, node: YNode | null | undefined, depth = 0): MatrixNode {
  const n = deref(node);
  if (depth > 16) return { kind: "unknown", why: "the matrix is nested too deeply" };
  if (n?.kind === "map") {
    const entries = new Map<string, MatrixNode>();
    for (const pair of n.pairs) {
      const key = pairKey(pair);
      if (key !== undefined) entries.set(key, matrixNode(r, pair.value, depth + 1));
    }
    return { kind: "map", entries };
  }
  if (n?.kind === "seq")
    return { kind: "list", items: n.items.map((i) => matrixNode(r, i, depth + 1)), loc: locOf(r, n) };
  const value = strValue(r, n);
  if (!value) return { kind: "unknown", why: "an empty matrix value" };
  const text = scalarString(n);
  if (text !== undefined && isWholeExpression(text))
    return { kind: "unknown", why: `the matrix comes from an expression (\`${text.trim()}\`)` };
  return { kind: "scalar", value };
}

const JOB_FIELDS = ["with", "steps", "name", "permissions", "environment", "uses", "if", "env", "strategy"];

function readJob(r: Reader, pair: YPair): Job | undefined {
  const id = located(r, pair.key);
  const body = deref(pair.value);
  if (!id || body?.kind !== "map") return undefined;
  const [withPair, stepsPair, namePair, permissionsPair, environmentPair, usesPair, ifPair, envPair, strategyPair] =
    fieldsOf(body, JOB_FIELDS);
  const job: Job = {
    id,
    steps: readSteps(r, stepsPair?.value),
    with: stringMap(r, withPair?.value),
    loc: locOf(r, body),
  };
  const name = located(r, namePair?.value);
  if (name) job.name = name;
  if (permissionsPair) job.permissions = readPermissions(r, permissionsPair);
  if (environmentPair) {
    const env = deref(environmentPair.value);
    if (env?.kind === "map") {
      const envName = findPair(env, "name");
      const envValue = envName ? strValue(r, envName.value) : undefined;
      if (envValue) job.environment = envValue;
      const url = findPair(env, "url");
      const urlValue = url ? strValue(r, url.value) : undefined;
      if (urlValue) job.environmentUrl = urlValue;
    } else {
      const envName = strValue(r, env);
      if (envName && !(envName.parts.length === 1 && envName.parts[0] === "")) job.environment = envName;
    }
  }
  const uses = located(r, usesPair?.value);
  if (uses) job.uses = uses;
  const cond = located(r, ifPair?.value);
  if (cond) job.if = cond;
  if (envPair) job.env = stringMap(r, envPair.value);
  const matrix = findPair(strategyPair?.value, "matrix");
  if (matrix) job.matrix = expandMatrix(matrixNode(r, matrix.value), locOf(r, matrix.key));
  return job;
}

function problemFile(src: SourceFile, format: string, problems: ParsedFile["problems"]): ParsedFile {
  const out = emptyParsed(src.path, format);
  out.problems.push(...problems);
  return out;
}

/**
 * The tree of a workflow or action file, or its syntax problem. The tree comes from js-yaml's events
 * (`fastYamlTree`); anything that builder leaves aside goes through `yaml`, so a broken file gets `yaml`'s
 * message and place (`parse-error`), exactly as before the fast builder existed.
 */
function readTree(
  src: SourceFile,
  fast: boolean,
): { root: YNode | undefined; index?: LineIndex } | { problems: ParseProblem[] } {
  // (The line index is made when a location is asked for: a file the pre-filter skips needs none.)
  if (fast && !nestingProblem(src.text)) {
    // Plain YAML (nearly every workflow) is read in one pass; js-yaml's events take the rest.
    const plain = plainYamlTree(src.text);
    const tree = plain === undefined ? fastYamlTree(src.text) : plain;
    if (tree !== undefined) return { root: deref(tree) };
  }
  const parsed = parseYamlSource(src.path, src.text);
  if (parsed.problems.length > 0) return { problems: parsed.problems };
  return { root: deref(yamlDocumentTree(parsed.doc)), index: parsed.index };
}

const WORKFLOW_FIELDS = ["name", "on", "permissions", "env", "jobs"];

const isEmptyRoot = (root: YNode | undefined): boolean =>
  root === undefined || (root.kind === "scalar" && root.value === null);

/**
 * A GitHub workflow (`.github/workflows/*.yml|yaml`). `fast: false` reads the tree with `yaml` alone (the
 * reference test/workflow-yaml-tree.test.ts holds the fast builder to).
 */
export function parseWorkflow(src: SourceFile, parseEnv: ParseEnv, fast = true): ParsedFile {
  const read = readTree(src, fast);
  if ("problems" in read) return problemFile(src, "workflow", read.problems);
  const { root } = read;
  const out = emptyParsed(src.path, "workflow");
  if (root === undefined || isEmptyRoot(root)) return out;
  const isMap = root.kind === "map";
  // A workflow the rules cannot read anything in (src/parsers/workflow/relevance.ts) has no model.
  if (isMap && parseEnv.workflowPrefilter && !workflowMayMatter(src.text)) {
    out.workflowTriggers = [triggerSummary(src.path, root)];
    return out;
  }
  const r: Reader = { index: read.index ?? new LineIndex(src.path, src.text) };
  if (!isMap) {
    out.problems.push({
      message: "A workflow must be a mapping with `on` and `jobs`; this file holds something else",
      loc: locOf(r, root),
    });
    return out;
  }
  const workflow: Workflow = { file: src.path, kind: "workflow", triggers: [], jobs: [], loc: locOf(r, root) };
  const [namePair, onPair, permissionsPair, envPair, jobsPair] = fieldsOf(root, WORKFLOW_FIELDS);
  const name = located(r, namePair?.value);
  if (name) workflow.name = name;
  if (onPair) {
    workflow.onLoc = locOf(r, onPair.key);
    workflow.triggers = readTriggers(r, onPair.value);
  }
  if (permissionsPair) workflow.permissions = readPermissions(r, permissionsPair);
  if (envPair) workflow.env = stringMap(r, envPair.value);
  for (const pair of pairsOf(jobsPair?.value)) {
    const job = readJob(r, pair);
    if (job) workflow.jobs.push(job);
  }
  out.workflows.push(workflow);
  return out;
}

/** A composite action (`action.yml` with `runs.using: composite`); any other action is not read. */
export function parseAction(src: SourceFile, _env: ParseEnv, fast = true): ParsedFile | undefined {
  if (!/\busing["']?\s*:\s*["']?composite/i.test(src.text)) return undefined;
  const read = readTree(src, fast);
  if ("problems" in read) return problemFile(src, "action", read.problems);
  const { root } = read;
  if (root?.kind !== "map") return undefined;
  const r: Reader = { index: read.index ?? new LineIndex(src.path, src.text) };
  const runs = valueOf(root, "runs");
  if (scalarString(valueOf(runs, "using"))?.toLowerCase() !== "composite") return undefined;
  const inputs: CompositeAction["inputs"] = new Map();
  for (const pair of pairsOf(valueOf(root, "inputs"))) {
    const key = pairKey(pair);
    if (key === undefined) continue;
    const input: { default?: StrValue; loc: SourceLocation } = { loc: locOf(r, pair.key) };
    const def = findPair(pair.value, "default");
    const value = def ? strValue(r, def.value) : undefined;
    if (value) input.default = value;
    inputs.set(key, input);
  }
  const dir = posix.dirname(src.path);
  const action: CompositeAction = {
    file: src.path,
    kind: "composite-action",
    dir,
    inputs,
    steps: readSteps(r, valueOf(runs, "steps")),
    loc: locOf(r, root),
  };
  const out = emptyParsed(src.path, "action");
  out.actions.push(action);
  return out;
}
