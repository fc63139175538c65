import type { ResolvedSettings } from "../config/settings.js";
import { githubConditions, githubTrustStatements, type GitHubCondition } from "./github-trust.js";
import type { PolicyDocument, Statement } from "../model/policy.js";
import { displayText, unknownNames, type StrValue } from "../model/value.js";
import { PLACEHOLDER } from "./placeholder.js";

/**
 * Structural analysis of a `sub` condition value against the sub claims GitHub can issue.
 *
 * GitHub builds the sub claim from a template of claim keys (default `["repo", "context"]`): every key
 * contributes `key:value` (the `context` key contributes `ref:refs/heads/B`, `ref:refs/tags/T`,
 * `environment:NAME` or `pull_request`), joined by `:`. A `:` inside a claim value is encoded `%3A`, so
 * every `:` of a sub is structural. The repository appears as `OWNER/REPO` or, in GitHub's immutable
 * form, `OWNER@OWNER_ID/REPO@REPO_ID`.
 *
 * That set of claims is a small grammar. A condition value is a pattern (`*` any run, `?` one character
 * under `StringLike`; literal under `StringEquals`) with possibly unknown parts. Walking the pattern and
 * the grammar together tells, from structure rather than string prefixes:
 * - whether the value can match any claim at all (`canMatch`; unknown parts may be anything),
 * - which parts of the claim a wildcard can cover on a match (owner name → any owner; repository name →
 *   other repositories of one owner; the context kind → any ref or event), reading each unknown part as a
 *   value of the one claim part it sits in (`repo:${var.org}/*` is org-wide whatever the org),
 * - the exact owner / repository names when they are written literally.
 */

export type MatchMode = "equals" | "like" | "equalsIgnoreCase";

/**
 * What a value admits, most severe first: repositories of any owner; other repositories of the one owner;
 * every ref and event (branch, tag, pull request, environment) of one repository; or a scoped value.
 */
export type Breadth = "anyOwner" | "ownerWide" | "anyContext" | "scoped";

export type SubProblemKind =
  | "empty"
  | "whitespace"
  | "url"
  | "literalWildcard"
  | "missingRepoPrefix"
  | "shortRef"
  | "wrongContext"
  | "mixedForm"
  | "placeholder"
  | "noContext"
  | "neverMatches";

export interface SubProblem {
  kind: SubProblemKind;
  /** The offending token as written (`ref:main`, `branch:main`, ` ` …). */
  token?: string;
  /** What GitHub issues instead (`ref:refs/heads/main`). */
  expected?: string;
  /** The whole value corrected as far as the known fixes go, when that differs from the value. */
  suggestion?: string;
}

export interface SubAnalysis {
  /** The value as written, unknown parts as `${expr}`. */
  text: string;
  /** Whether some claim GitHub issues under the template can match (for some value of the unknown parts). */
  canMatch: boolean;
  /** Set when the value can match and its structure is known well enough to be certain. */
  breadth?: Breadth;
  /** Which claim parts a wildcard can cover, for messages (`owner`, `repo`, `ctxKind`, `key` …). */
  wildcardParts: ReadonlySet<Part>;
  /** Exact names of the repository part, when written without wildcards or unknowns. */
  owner?: string;
  repo?: string;
  ownerId?: string;
  repoId?: string;
  /** `name`: `OWNER/REPO` without ids; `immutable`: `OWNER@ID/REPO@ID` (ids may be wildcards). */
  form?: "name" | "immutable";
  /** Why the value never matches (only when `canMatch` is false). */
  problem?: SubProblem;
  /** The customised template the value spells out, when it was read under that instead of the default. */
  template?: readonly string[];
  /**
   * The value with `@OWNER_ID` / `@REPO_ID` inserted after the names, for a name-only value whose owner
   * is exact (the repository part may be a wildcard).
   */
  immutableForm?: string;
}

/** Claim parts a grammar edge belongs to. */
export type Part =
  | "key"
  | "sep"
  | "owner"
  | "ownerId"
  | "ownerIdOnly"
  | "slash"
  | "repo"
  | "repoId"
  | "repoIdOnly"
  | "ctxKind"
  | "ctxRef"
  | "ctxValue"
  | "value";

const PARTS: readonly Part[] = [
  "key",
  "sep",
  "owner",
  "ownerId",
  "ownerIdOnly",
  "slash",
  "repo",
  "repoId",
  "repoIdOnly",
  "ctxKind",
  "ctxRef",
  "ctxValue",
  "value",
];

const PART_INDEX = Object.fromEntries(PARTS.map((p, i) => [p, i])) as Record<Part, number>;

export const DEFAULT_SUB_TEMPLATE: readonly string[] = ["repo", "context"];

/**
 * Claim keys a customised template adds after `repo` and `context` that a value under the default
 * template never holds by mistake. `environment` and `ref` are left out: after a context they are the
 * common attempt to require a branch and an environment at once (`…:ref:refs/heads/main:environment:prod`),
 * which never matches under the default template.
 */
const CUSTOM_CLAIM_KEYS = new Set([
  "actor",
  "actor_id",
  "base_ref",
  "enterprise",
  "enterprise_id",
  "event_name",
  "head_ref",
  "job_workflow_ref",
  "job_workflow_sha",
  "ref_protected",
  "ref_type",
  "repository_id",
  "repository_owner",
  "repository_owner_id",
  "repository_visibility",
  "runner_environment",
  "sha",
  "workflow",
  "workflow_ref",
  "workflow_sha",
]);

/**
 * The template a value spells out when it was written for a customised one: `repo:OWNER/REPO`, a context,
 * then one or more `KEY:VALUE` fields of claim keys the default template lacks
 * (`repo:acme/app:ref:refs/heads/main:workflow_ref:acme/app/.github/workflows/ci.yml@refs/heads/main` →
 * `["repo", "context", "workflow_ref"]`). Every `:` of a sub is structural, so the fields are read by
 * splitting at `:`. Undefined for anything else.
 */
function spelledOutTemplate(text: string): string[] | undefined {
  const tokens = text.split(":");
  if (tokens[0] !== "repo" || tokens.length < 5) return undefined;
  const keys = ["repo"];
  let i = 2;
  while (i < tokens.length) {
    const t = tokens[i] ?? "";
    if (t === "pull_request" && !keys.includes("context")) {
      keys.push("context");
      i += 1;
    } else if ((t === "ref" || t === "environment") && !keys.includes("context")) {
      keys.push("context");
      i += 2;
    } else if (CUSTOM_CLAIM_KEYS.has(t) && !keys.includes(t)) {
      keys.push(t);
      i += 2;
    } else return undefined;
  }
  return i === tokens.length && keys.length > 2 && keys.includes("context") ? keys : undefined;
}

// ---------------------------------------------------------------------------------------------------
// The grammar of sub claims

type CharTest = (c: string) => boolean;

interface Edge {
  to: number;
  test: CharTest;
  part: Part;
  /** Index of the template key the edge belongs to. */
  field: number;
}

/**
 * The grammar as flat arrays, for `walk`: the edges of state `g` are `edgeFirst[g]` up to `edgeFirst[g + 1]`
 * (likewise the epsilon moves), each with its target, its claim part (`field * PARTS.length + part index`)
 * and its character test. Answers for ASCII characters are kept as they are asked (`ascii[edge * 128 + code]`:
 * 0 not asked yet, 1 no, 2 yes; `asciiIgnoreCase` the same in either case).
 */
interface Grammar {
  stateCount: number;
  edgeFirst: Int32Array;
  edgeTo: Int32Array;
  edgeKey: Int32Array;
  edgeTest: CharTest[];
  ascii: Uint8Array;
  asciiIgnoreCase: Uint8Array;
  epsFirst: Int32Array;
  epsTo: Int32Array;
  start: number;
  accept: number;
  /** Number of template fields (each edge's `field` is below it). */
  fieldCount: number;
  /** Walk results by pattern shape (`walkCached`). */
  walks: Map<string, WalkResult>;
  /**
   * Character classes (`classOf`): characters every edge tests alike, so that a walk cannot tell them apart.
   * By case handling (0 exact, 1 ignore case): the class number of each character asked so far, and the
   * class numbers by the edges' answers.
   */
  classes: [Map<string, number>, Map<string, number>];
  classIds: [Map<string, number>, Map<string, number>];
  /** The class numbers of ASCII characters by code (-1: not asked yet), by case handling. */
  asciiClasses: [Int32Array, Int32Array];
}

/** Owner names: letters, digits, `-`; `_` for Enterprise Managed Users' shortcode suffix. */
/** ASCII letters and digits (every owner and repository character but `_`, `-` and `.`). */
function isAsciiAlnum(c: string): boolean {
  const code = c.charCodeAt(0);
  return c.length === 1 && ((code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122));
}
const isOwnerChar: CharTest = (c) => isAsciiAlnum(c) || c === "_" || c === "-";
const isRepoChar: CharTest = (c) => isAsciiAlnum(c) || c === "_" || c === "." || c === "-";
const isDigit: CharTest = (c) => c >= "0" && c <= "9";
/** Git ref names cannot contain `:`, `*`, `?`, `[`, `~`, `^`, `\`, space or control characters. */
const isRefChar: CharTest = (c) => !/^[\s:*?[~^\\\x00-\x1f\x7f]$/.test(c);
/** Environment names: anything but the structural `:` and characters that are wildcards in IAM patterns. */
const isEnvChar: CharTest = (c) => !/^[:*?\t\n\r]$/.test(c) && c !== "";
const isValueChar: CharTest = (c) => c !== ":";

class GrammarBuilder {
  readonly edges: Edge[][] = [];
  readonly eps: number[][] = [];

  state(): number {
    this.edges.push([]);
    this.eps.push([]);
    return this.edges.length - 1;
  }

  private add(from: number, edge: Edge): void {
    this.edges[from]?.push(edge);
  }

  epsilon(from: number, to: number): void {
    this.eps[from]?.push(to);
  }

  literal(from: number, text: string, part: Part, field: number): number {
    let s = from;
    for (const ch of text) {
      const to = this.state();
      this.add(s, { to, test: (c) => c === ch, part, field });
      s = to;
    }
    return s;
  }

  /** One or more characters of a class. */
  plus(from: number, test: CharTest, part: Part, field: number): number {
    const s = this.state();
    this.add(from, { to: s, test, part, field });
    this.add(s, { to: s, test, part, field });
    return s;
  }

  /** Zero or more characters of a class. */
  star(from: number, test: CharTest, part: Part, field: number): number {
    const s = this.state();
    this.epsilon(from, s);
    this.add(s, { to: s, test, part, field });
    return s;
  }

  join(froms: number[]): number {
    const s = this.state();
    for (const f of froms) this.epsilon(f, s);
    return s;
  }

  build(start: number, accept: number, fieldCount: number): Grammar {
    const edges = this.edges.flat();
    const flat = (lists: readonly (readonly unknown[])[]): Int32Array => {
      const first = new Int32Array(lists.length + 1);
      lists.forEach((l, g) => (first[g + 1] = (first[g] as number) + l.length));
      return first;
    };
    return {
      stateCount: this.edges.length,
      edgeFirst: flat(this.edges),
      edgeTo: Int32Array.from(edges, (e) => e.to),
      edgeKey: Int32Array.from(edges, (e) => keyOf(e.field, e.part)),
      edgeTest: edges.map((e) => e.test),
      ascii: new Uint8Array(edges.length * 128),
      asciiIgnoreCase: new Uint8Array(edges.length * 128),
      epsFirst: flat(this.eps),
      epsTo: Int32Array.from(this.eps.flat()),
      start,
      accept,
      fieldCount,
      walks: new Map<string, WalkResult>(),
      classes: [new Map<string, number>(), new Map<string, number>()],
      classIds: [new Map<string, number>(), new Map<string, number>()],
      asciiClasses: [new Int32Array(128).fill(-1), new Int32Array(128).fill(-1)],
    };
  }
}

/** A claim part of a template field as one number: `field * PARTS.length + part index`. */
function keyOf(field: number, part: Part): number {
  return field * PARTS.length + PART_INDEX[part];
}

/** `OWNER/REPO` or `OWNER@ID/REPO@ID` (both ids or neither). */
function repositoryValue(b: GrammarBuilder, from: number, field: number): number {
  const owner = b.plus(from, isOwnerChar, "owner", field);
  let byName = b.literal(owner, "/", "slash", field);
  byName = b.plus(byName, isRepoChar, "repo", field);
  let byId = b.literal(owner, "@", "ownerId", field);
  byId = b.plus(byId, isDigit, "ownerId", field);
  byId = b.literal(byId, "/", "slash", field);
  byId = b.plus(byId, isRepoChar, "repo", field);
  byId = b.literal(byId, "@", "repoId", field);
  byId = b.plus(byId, isDigit, "repoId", field);
  return b.join([byName, byId]);
}

function contextValue(b: GrammarBuilder, from: number, field: number): number {
  let ref = b.literal(from, "ref:", "ctxKind", field);
  ref = b.literal(ref, "refs/", "ctxRef", field);
  ref = b.plus(ref, isRefChar, "ctxValue", field);
  let env = b.literal(from, "environment:", "ctxKind", field);
  env = b.plus(env, isEnvChar, "ctxValue", field);
  const pr = b.literal(from, "pull_request", "ctxKind", field);
  return b.join([ref, env, pr]);
}

function keyValue(b: GrammarBuilder, from: number, key: string, field: number): number {
  switch (key) {
    case "repo":
    case "repository":
      return repositoryValue(b, from, field);
    case "repository_owner":
      return b.plus(from, isOwnerChar, "owner", field);
    case "repository_owner_id":
      return b.plus(from, isDigit, "ownerIdOnly", field);
    case "repository_id":
      return b.plus(from, isDigit, "repoIdOnly", field);
    default:
      return b.star(from, isValueChar, "value", field);
  }
}

const grammars = new Map<string, Grammar>();

function grammarFor(template: readonly string[]): Grammar {
  const cacheKey = templateKey(template);
  const cached = grammars.get(cacheKey);
  if (cached) return cached;
  const b = new GrammarBuilder();
  const start = b.state();
  let s = start;
  template.forEach((key, field) => {
    if (field > 0) s = b.literal(s, ":", "sep", field);
    if (key === "context") s = contextValue(b, s, field);
    else {
      s = b.literal(s, `${key}:`, "key", field);
      s = keyValue(b, s, key, field);
    }
  });
  const grammar = b.build(start, s, Math.max(1, template.length));
  grammars.set(cacheKey, grammar);
  return grammar;
}

// ---------------------------------------------------------------------------------------------------
// Patterns

type Element =
  | { kind: "char"; ch: string; source: string }
  | { kind: "any"; source: string }
  | { kind: "one"; source: string }
  | { kind: "unknown"; source: string };

/** Longest pattern analysed; beyond it nothing is concluded (bounded cost on hostile input). */
const MAX_ELEMENTS = 1024;

/** Elements are read, never changed: one object per ASCII character, wildcard and unknown-free kind. */
const ANY: Element = { kind: "any", source: "*" };
const ONE: Element = { kind: "one", source: "?" };
const asciiChars: Element[] = [];

function charElement(ch: string): Element {
  const code = ch.charCodeAt(0);
  if (code >= 128) return { kind: "char", ch, source: ch };
  return (asciiChars[code] ??= { kind: "char", ch, source: ch });
}

/**
 * Splits a value into pattern elements. IAM policy variables are substituted at request time: `${*}`,
 * `${?}`, `${$}` are the literal characters, any other `${…}` is unknown here.
 */
function elementsOf(value: StrValue, mode: MatchMode): Element[] {
  const out: Element[] = [];
  for (const part of value.parts) {
    if (typeof part !== "string") {
      out.push({ kind: "unknown", source: `\${${part.unknown}}` });
      continue;
    }
    let i = 0;
    while (i < part.length) {
      if (part.startsWith("${", i)) {
        const end = part.indexOf("}", i + 2);
        if (end > 0) {
          const name = part.slice(i + 2, end);
          const source = part.slice(i, end + 1);
          if (name === "*" || name === "?" || name === "$") out.push({ kind: "char", ch: name, source });
          else out.push({ kind: "unknown", source });
          i = end + 1;
          continue;
        }
      }
      const ch = part.charAt(i);
      if (mode === "like" && ch === "*") out.push(ANY);
      else if (mode === "like" && ch === "?") out.push(ONE);
      else out.push(charElement(ch));
      i++;
    }
  }
  return out;
}

/**
 * What a walk found, as bit sets of claim parts (bit `PART_INDEX[part]`) by template field. (Plain arrays:
 * a small typed array costs more to make and collect, and a policy makes thousands of these.)
 */
interface WalkResult {
  accepted: boolean;
  fieldCount: number;
  /** By field: the claim parts a wildcard covers on some match. */
  wildcardParts: number[];
  /** By field: the claim parts an unknown covers on some match. */
  unknownParts: number[];
  /** By literal element and field (`element * fieldCount + field`): the claim parts it stands for on some match. */
  charParts: number[];
}

/**
 * The arrays a walk works in, kept from one walk to the next (a policy has thousands of values, and arrays
 * grown anew for each cost more than the walk): each walk uses them from index 0 and counts what it uses.
 * `number`, by product state id, is the state's number in the walk + 1 (0: not reached); every walk sets
 * the ids it used back to 0. Arrays grown past `KEEP` entries by a long value are dropped after its walk.
 */
interface Workspace {
  number: Int32Array;
  /** By state number: its product id and parts (element index, grammar state, lock). */
  stateId: number[];
  statePi: number[];
  stateG: number[];
  stateLock: number[];
  stack: number[];
  /** By step: from and to (state numbers), the element index read, the edge taken (-1: none). */
  stepFrom: number[];
  stepTo: number[];
  stepPi: number[];
  stepEdge: number[];
  /** Backward pass: the last step into each state, the step into the same state before each step. */
  lastInto: number[];
  previousInto: number[];
  live: number[];
}

/** Product state ids below this are numbered through `Workspace.number`; beyond it, through a map. */
const SCRATCH_LIMIT = 1 << 22;
const KEEP = 1 << 16;

function newWorkspace(number: Int32Array = new Int32Array(1 << 12)): Workspace {
  return {
    number,
    stateId: [],
    statePi: [],
    stateG: [],
    stateLock: [],
    stack: [],
    stepFrom: [],
    stepTo: [],
    stepPi: [],
    stepEdge: [],
    lastInto: [],
    previousInto: [],
    live: [],
  };
}

let workspace = newWorkspace();

/** Whether edge `e` of the grammar takes character `ch` (ASCII answers kept as they are asked). */
function takes(grammar: Grammar, ignoreCase: boolean, e: number, ch: string): boolean {
  const test = grammar.edgeTest[e] as CharTest;
  const code = ch.charCodeAt(0);
  if (code >= 128) return test(ch) || (ignoreCase && (test(ch.toLowerCase()) || test(ch.toUpperCase())));
  const ascii = ignoreCase ? grammar.asciiIgnoreCase : grammar.ascii;
  const known = ascii[e * 128 + code] as number;
  if (known !== 0) return known === 2;
  const yes = test(ch) || (ignoreCase && (test(ch.toLowerCase()) || test(ch.toUpperCase())));
  ascii[e * 128 + code] = yes ? 2 : 1;
  return yes;
}

/**
 * The class of a character: characters that every edge of the grammar takes or refuses alike belong to
 * one class (all digits, most letters), and a walk cannot tell them apart.
 */
function classOf(grammar: Grammar, ignoreCase: boolean, ch: string): number {
  const byCase = ignoreCase ? 1 : 0;
  const code = ch.charCodeAt(0);
  const ascii = grammar.asciiClasses[byCase];
  if (code < 128 && (ascii[code] as number) >= 0) return ascii[code] as number;
  const classes = grammar.classes[byCase];
  const known = classes.get(ch);
  if (known !== undefined) return known;
  let answers = "";
  for (let e = 0; e < grammar.edgeTest.length; e++) answers += takes(grammar, ignoreCase, e, ch) ? "1" : "0";
  const ids = grammar.classIds[byCase];
  let id = ids.get(answers);
  if (id === undefined) ids.set(answers, (id = ids.size));
  if (code < 128) ascii[code] = id;
  else classes.set(ch, id);
  return id;
}

/** Patterns longer than this are walked without keeping the result (`walkCached`). */
const SHAPE_LIMIT = 256;
/** Shapes kept per grammar; the cache starts over when full. */
const SHAPES_KEPT = 1024;
/** The symbols of a shape being read (`walkCached`). */
const shapeCodes: number[] = [];

/**
 * `walk`, shared by every pattern of one shape: each element's kind and, for a literal, its character
 * class (`classOf`). Patterns of one shape walk alike (`walk` reads a literal only through the edges'
 * answers for it), so the walk of `repo:acme/app1:*` is that of `repo:acme/app2:*`: a policy's values mostly
 * differ only in names, and the walk is the cost of an analysis. The result is read, never changed.
 */
function walkCached(els: Element[], grammar: Grammar, mode: MatchMode, unknowns: "anything" | "onePart"): WalkResult {
  if (els.length > SHAPE_LIMIT) return walk(els, grammar, mode, unknowns);
  const ignoreCase = mode === "equalsIgnoreCase";
  // The key: case handling and unknown mode, then one symbol per element (0 `*`, 1 `?`, 2 an unknown,
  // 3 + class for a literal).
  shapeCodes[0] = (ignoreCase ? 2 : 0) + (unknowns === "onePart" ? 1 : 0);
  for (let i = 0; i < els.length; i++) {
    const el = els[i] as Element;
    const symbol =
      el.kind === "char" ? 3 + classOf(grammar, ignoreCase, el.ch) : el.kind === "any" ? 0 : el.kind === "one" ? 1 : 2;
    if (symbol > 0xffff) return walk(els, grammar, mode, unknowns);
    shapeCodes[i + 1] = symbol;
  }
  shapeCodes.length = els.length + 1;
  // (`apply`, not a spread: a spread walks an iterator, one object per element until it is optimised.)
  const key = String.fromCharCode.apply(null, shapeCodes);
  let result = grammar.walks.get(key);
  if (result === undefined) {
    result = walk(els, grammar, mode, unknowns);
    if (grammar.walks.size >= SHAPES_KEPT) grammar.walks.clear();
    grammar.walks.set(key, result);
  }
  return result;
}

/**
 * Walks pattern and grammar together (a product automaton): forward from the start, then backward from
 * the accepting states, so that only steps on some complete match are recorded. `unknowns`:
 * `anything` lets an unknown part be any text; `onePart` keeps each unknown inside one claim part.
 */
function walk(els: Element[], grammar: Grammar, mode: MatchMode, unknowns: "anything" | "onePart"): WalkResult {
  const { edgeFirst, edgeTo, edgeKey, epsFirst, epsTo, fieldCount } = grammar;
  const partCount = PARTS.length;
  // A product state is (element index, grammar state, lock); only `onePart` locks an unknown to one claim
  // part (lock = its key + 1).
  const locks = unknowns === "onePart" ? fieldCount * partCount + 1 : 1;
  const gCount = grammar.stateCount;
  const ignoreCase = mode === "equalsIgnoreCase";

  const idCount = (els.length + 1) * gCount * locks;
  const byId = idCount <= SCRATCH_LIMIT;
  if (byId && workspace.number.length < idCount)
    workspace = newWorkspace(new Int32Array(Math.max(idCount, 2 * workspace.number.length)));
  const { number, stateId, statePi, stateG, stateLock, stack, stepFrom, stepTo, stepPi, stepEdge } = workspace;
  const byMap = byId ? undefined : new Map<number, number>();
  const numberOf = (id: number): number => (byMap ? (byMap.get(id) ?? -1) : (number[id] as number) - 1);
  let states = 0;
  let steps = 0;
  let top = 0;
  const reach = (pi: number, g: number, lock: number): number => {
    const id = (pi * gCount + g) * locks + lock;
    let n = numberOf(id);
    if (n < 0) {
      n = states++;
      stateId[n] = id;
      statePi[n] = pi;
      stateG[n] = g;
      stateLock[n] = lock;
      if (byMap) byMap.set(id, n);
      else number[id] = n + 1;
      stack[top++] = n;
    }
    return n;
  };
  const step = (from: number, pi: number, g: number, lock: number, at: number, edge: number): void => {
    stepFrom[steps] = from;
    stepPi[steps] = at;
    stepEdge[steps] = edge;
    stepTo[steps++] = reach(pi, g, lock);
  };
  const start = reach(0, grammar.start, 0);
  const STEP_LIMIT = 2_000_000;
  while (top > 0 && steps < STEP_LIMIT) {
    const here = stack[--top] as number;
    const pi = statePi[here] as number;
    const g = stateG[here] as number;
    const lock = stateLock[here] as number;
    for (let k = epsFirst[g] as number, end = epsFirst[g + 1] as number; k < end; k++)
      step(here, pi, epsTo[k] as number, lock, pi, -1);
    const el = els[pi];
    if (!el) continue;
    const first = edgeFirst[g] as number;
    const end = edgeFirst[g + 1] as number;
    switch (el.kind) {
      case "char":
        for (let e = first; e < end; e++)
          if (takes(grammar, ignoreCase, e, el.ch)) step(here, pi + 1, edgeTo[e] as number, 0, pi, e);
        break;
      case "one":
        for (let e = first; e < end; e++) step(here, pi + 1, edgeTo[e] as number, 0, pi, e);
        break;
      case "any":
        step(here, pi + 1, g, 0, pi, -1);
        for (let e = first; e < end; e++) step(here, pi, edgeTo[e] as number, 0, pi, e);
        break;
      case "unknown":
        step(here, pi + 1, g, 0, pi, -1);
        for (let e = first; e < end; e++) {
          const own = (edgeKey[e] as number) + 1;
          if (unknowns === "anything") step(here, pi, edgeTo[e] as number, 0, pi, e);
          else if (lock === 0 || lock === own) step(here, pi, edgeTo[e] as number, own, pi, e);
        }
        break;
    }
  }

  // Backward: states from which an accepting state is reachable. The steps into each state, as linked lists:
  // `lastInto` by state, `previousInto` by step.
  const { lastInto, previousInto, live } = workspace;
  for (let n = 0; n < states; n++) {
    lastInto[n] = -1;
    live[n] = 0;
  }
  for (let i = 0; i < steps; i++) {
    const to = stepTo[i] as number;
    previousInto[i] = lastInto[to] as number;
    lastInto[to] = i;
  }
  const queue = stack;
  top = 0;
  for (let lock = 0; lock < locks; lock++) {
    const acc = numberOf((els.length * gCount + grammar.accept) * locks + lock);
    if (acc >= 0) {
      live[acc] = 1;
      queue[top++] = acc;
    }
  }
  while (top > 0) {
    const s = queue[--top] as number;
    for (let i = lastInto[s] as number; i >= 0; i = previousInto[i] as number) {
      const from = stepFrom[i] as number;
      if (live[from] === 0) {
        live[from] = 1;
        queue[top++] = from;
      }
    }
  }

  const result: WalkResult = {
    accepted: live[start] === 1,
    fieldCount,
    wildcardParts: new Array<number>(fieldCount).fill(0),
    unknownParts: new Array<number>(fieldCount).fill(0),
    charParts: new Array<number>(els.length * fieldCount).fill(0),
  };
  for (let i = 0; result.accepted && i < steps; i++) {
    const edge = stepEdge[i] as number;
    if (edge < 0 || live[stepTo[i] as number] === 0 || live[stepFrom[i] as number] === 0) continue;
    const at = stepPi[i] as number;
    const key = edgeKey[edge] as number;
    const field = Math.floor(key / partCount);
    const bit = 1 << (key % partCount);
    // A step with an edge reads an element: a literal, a wildcard (`*`, `?`) or an unknown.
    const kind = els[at]?.kind;
    const set = kind === "char" ? result.charParts : kind === "unknown" ? result.unknownParts : result.wildcardParts;
    const slot = kind === "char" ? at * fieldCount + field : field;
    set[slot] = (set[slot] as number) | bit;
  }

  if (byId) for (let n = 0; n < states; n++) number[stateId[n] as number] = 0;
  if (states > KEEP || steps > KEEP) workspace = newWorkspace(number.length > 4 * KEEP ? undefined : number);
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Analysis

/** Shared answers of `partsOnly`, one per set of parts (read-only). */
const partSets = new Map<number, ReadonlySet<Part>>();
const NO_PARTS: ReadonlySet<Part> = new Set();
partSets.set(0, NO_PARTS);

/** The claim parts a walk result's bit sets name, whatever their field. */
function partsOnly(byField: readonly number[]): ReadonlySet<Part> {
  let bits = 0;
  for (const b of byField) bits |= b;
  let set = partSets.get(bits);
  if (set === undefined) {
    set = new Set(PARTS.filter((_, i) => (bits & (1 << i)) !== 0));
    partSets.set(bits, set);
  }
  return set;
}

function breadthOf(wildcards: ReadonlySet<Part>): Breadth {
  if (wildcards.has("owner") || wildcards.has("ownerIdOnly")) return "anyOwner";
  if (wildcards.has("repo") || wildcards.has("repoIdOnly")) return "ownerWide";
  if (wildcards.has("ctxKind")) return "anyContext";
  return "scoped";
}

/** The field that names the repository: the `repo` key, else `repository`. */
function repositoryField(template: readonly string[]): number {
  const repo = template.indexOf("repo");
  return repo >= 0 ? repo : template.indexOf("repository");
}

/**
 * The exact text of one claim part: every element standing for it is a literal character that stands for
 * nothing else, the elements are contiguous, and no wildcard or unknown covers the part.
 */
function exactPart(
  els: Element[],
  source: string,
  w: WalkResult,
  field: number,
  part: Part,
): { text: string; first: number; last: number } | undefined {
  const bit = 1 << PART_INDEX[part];
  if ((((w.wildcardParts[field] as number) | (w.unknownParts[field] as number)) & bit) !== 0) return undefined;
  const { fieldCount, charParts } = w;
  let first = -1;
  let last = -1;
  // Whether each element's character is its source too (not `${*}`): the text is then a slice of the source.
  let plain = true;
  for (let pi = 0; pi < els.length; pi++) {
    const parts = charParts[pi * fieldCount + field] as number;
    if ((parts & bit) === 0) continue;
    if (parts !== bit) return undefined;
    for (let f = 0; f < fieldCount; f++) if (f !== field && charParts[pi * fieldCount + f] !== 0) return undefined;
    if (last >= 0 && pi !== last + 1) return undefined;
    if (first < 0) first = pi;
    last = pi;
    const el = els[pi] as Element;
    plain &&= el.kind === "char" && el.source.length === 1;
  }
  if (first < 0) return undefined;
  if (plain) return { text: source.slice(sourceEnd(els, first - 1), sourceEnd(els, last)), first, last };
  let text = "";
  for (let pi = first; pi <= last; pi++) {
    const el = els[pi];
    text += el?.kind === "char" ? el.ch : "";
  }
  return { text, first, last };
}

/** Where element `i` ends in the value's display text (the elements' sources one after the other). */
function sourceEnd(els: readonly Element[], i: number): number {
  let end = 0;
  for (let k = 0; k <= i; k++) end += (els[k] as Element).source.length;
  return end;
}

function anyPart(w: WalkResult, field: number, part: Part): boolean {
  const bit = 1 << PART_INDEX[part];
  if ((((w.wildcardParts[field] as number) | (w.unknownParts[field] as number)) & bit) !== 0) return true;
  for (let i = field; i < w.charParts.length; i += w.fieldCount)
    if (((w.charParts[i] as number) & bit) !== 0) return true;
  return false;
}

const templateKeys = new WeakMap<readonly string[], string>();
const DEFAULT_KEY = DEFAULT_SUB_TEMPLATE.join("\u0000");

/** A template as a cache key, joined once per template array. */
function templateKey(template: readonly string[]): string {
  let key = templateKeys.get(template);
  if (key === undefined) templateKeys.set(template, (key = template.join("\u0000")));
  return key;
}

/** Whether a sub template is GitHub's default one (`repo:OWNER/REPO:CONTEXT`). */
export function isDefaultSubTemplate(template: readonly string[]): boolean {
  return templateKey(template) === DEFAULT_KEY;
}

/** The analyses of one value, by mode and template (mostly one). */
interface KnownAnalysis {
  mode: MatchMode;
  template: string;
  analysis: SubAnalysis;
  next?: KnownAnalysis;
}

/** Analyses of values with unknown parts, by value: each rule asks about the same values. */
const analyses = new WeakMap<StrValue, KnownAnalysis>();

/**
 * Analyses one sub condition value under a template. Never throws. The analysis is computed once per value,
 * mode and template and shared by every caller: read it, never change it.
 */
export function analyseSub(
  value: StrValue,
  mode: MatchMode,
  template: readonly string[] = DEFAULT_SUB_TEMPLATE,
): SubAnalysis {
  const { parts } = value;
  const only = parts.length === 1 ? parts[0] : undefined;
  if (typeof only === "string") return analyseText(value, only, mode, template);
  const key = templateKey(template);
  const first = analyses.get(value);
  for (let k = first; k; k = k.next) if (k.mode === mode && k.template === key) return k.analysis;
  const analysis = analyseAnew(value, mode, template);
  analyses.set(value, first ? { mode, template: key, analysis, next: first } : { mode, template: key, analysis });
  return analysis;
}

/** Whether a value, read under the default template, spells out a customised one (`SubAnalysis.template`). */
export function spellsOutTemplate(value: StrValue): boolean {
  return analyseSub(value, "like").template !== undefined;
}

/**
 * Analyses of literal values by template, mode and text: one value written in several places (module
 * instances, `Fn::If` readings, repeated statements) is analysed once, and so is a value linted again after
 * `--fix` changed its file. Each table starts over when full.
 */
const byText = new Map<string, Record<MatchMode, Map<string, SubAnalysis>>>();
const TEXTS_KEPT = 4096;

function analyseText(value: StrValue, text: string, mode: MatchMode, template: readonly string[]): SubAnalysis {
  const key = templateKey(template);
  let tables = byText.get(key);
  if (tables === undefined) {
    if (byText.size >= 16) byText.clear();
    tables = { equals: new Map(), like: new Map(), equalsIgnoreCase: new Map() };
    byText.set(key, tables);
  }
  const table = tables[mode];
  let analysis = table.get(text);
  if (analysis === undefined) {
    analysis = analyseAnew(value, mode, template);
    if (table.size >= TEXTS_KEPT) table.clear();
    table.set(text, analysis);
  }
  return analysis;
}

function analyseAnew(value: StrValue, mode: MatchMode, template: readonly string[]): SubAnalysis {
  const text = displayText(value);
  const analysis: SubAnalysis = { text, canMatch: false, wildcardParts: NO_PARTS };
  const els = elementsOf(value, mode);
  if (els.length > MAX_ELEMENTS || template.length === 0) {
    analysis.canMatch = true;
    return analysis;
  }
  const grammar = grammarFor(template);
  const any = walkCached(els, grammar, mode, "anything");
  analysis.canMatch = any.accepted;
  if (!any.accepted) {
    // Under the default template, a value that spells out a customised one is read under that one: the
    // repository or organisation customised its sub claim (in code or through GitHub's API).
    const spelled = isDefaultSubTemplate(template) ? spelledOutTemplate(text) : undefined;
    if (spelled && canMatchSub(value, mode, spelled))
      return { ...analyseAnew(value, mode, spelled), template: spelled };
    analysis.problem = diagnose(value, mode, template);
    return analysis;
  }

  // Names, for stale-repo-path and mutable-sub-claim: exact when written literally.
  const rf = repositoryField(template);
  if (rf >= 0) {
    const owner = exactPart(els, text, any, rf, "owner");
    const repo = exactPart(els, text, any, rf, "repo");
    const ownerId = exactPart(els, text, any, rf, "ownerId");
    const repoId = exactPart(els, text, any, rf, "repoId");
    if (owner) analysis.owner = owner.text;
    if (repo) analysis.repo = repo.text;
    if (ownerId) analysis.ownerId = ownerId.text.replace(/^@/, "");
    if (repoId) analysis.repoId = repoId.text.replace(/^@/, "");
    const hasIds = anyPart(any, rf, "ownerId") || anyPart(any, rf, "repoId");
    if (hasIds) analysis.form = "immutable";
    else if (owner) {
      analysis.form = "name";
      // Insert the id placeholders right after the names (the owner's comes first).
      const ownerEnd = sourceEnd(els, owner.last);
      const repoEnd = repo ? sourceEnd(els, repo.last) : text.length;
      analysis.immutableForm =
        `${text.slice(0, ownerEnd)}@OWNER_ID${text.slice(ownerEnd, repoEnd)}` +
        (repo ? `@REPO_ID${text.slice(repoEnd)}` : "");
    }
  }

  // Breadth: each unknown stands for a value of one claim part. A value that starts with an unknown
  // has no known structure to speak of.
  if (els[0]?.kind === "unknown") return analysis;
  const onePart = els.some((e) => e.kind === "unknown") ? walkCached(els, grammar, mode, "onePart") : any;
  if (!onePart.accepted) return analysis;
  analysis.wildcardParts = partsOnly(onePart.wildcardParts);
  analysis.breadth = breadthOf(analysis.wildcardParts);
  return analysis;
}

/**
 * How a `StringLike` value that pins its repository still leaves the context open, read from the
 * context segments (every `:` of a sub is structural):
 * - `anyRef`: `…:ref:*` or `…:ref:refs/*` — every branch and tag;
 * - `anyBranch`: `…:ref:refs/heads/*` — every branch, including unreviewed ones;
 * - `anyEnvironment`: `…:environment:*` — every environment, including ones without protection rules;
 * - `gluedBranch`: `…:ref:refs/heads/main*` — a branch name with `*` glued to it also admits
 *   `main-hotfix`. A prefix that ends in a separator (`release/*`, `feature-*`) is deliberate and
 *   not reported; tag patterns (`refs/tags/v*`) are not judged here.
 * Undefined for anything else (unknown parts in the context: nothing is certain).
 */
export type ContextBreadth = "anyRef" | "anyBranch" | "anyEnvironment" | "gluedBranch";

export function contextBreadth(value: StrValue): { kind: ContextBreadth; segment: string } | undefined {
  const text = displayText(value);
  const segments = text.split(":");
  for (let i = 0; i + 1 < segments.length; i++) {
    const kind = segments[i];
    const next = segments[i + 1] ?? "";
    if (next.includes("${")) return undefined;
    if (kind === "environment" && /^\*+$/.test(next)) return { kind: "anyEnvironment", segment: `environment:${next}` };
    if (kind !== "ref") continue;
    const segment = `ref:${next}`;
    if (/^(refs\/)?\*+$/.test(next)) return { kind: "anyRef", segment };
    if (/^refs\/heads\/\*+$/.test(next)) return { kind: "anyBranch", segment };
    const glued = /^refs\/heads\/([^*?]*[A-Za-z0-9])\*+$/.exec(next);
    if (glued) return { kind: "gluedBranch", segment };
  }
  return undefined;
}

/** Whether a value (as a pattern under `mode`) can match a claim under the template. */
export function canMatchSub(
  value: StrValue,
  mode: MatchMode,
  template: readonly string[] = DEFAULT_SUB_TEMPLATE,
): boolean {
  const els = elementsOf(value, mode);
  if (els.length > MAX_ELEMENTS) return true;
  return walkCached(els, grammarFor(template), mode, "anything").accepted;
}

// ---------------------------------------------------------------------------------------------------
// Diagnosis of values that never match

interface Fix {
  kind: SubProblemKind;
  re: RegExp;
  expected: (m: RegExpExecArray) => string;
}

/** Context tokens people write that GitHub never issues, with what it issues instead. */
const CONTEXT_FIXES: Fix[] = [
  {
    kind: "shortRef",
    re: /(?<=:)ref:(?!refs\/)(heads\/|tags\/)?([^:]*)/,
    expected: (m) => `ref:refs/${m[1] ?? "heads/"}${m[2] ?? ""}`,
  },
  { kind: "wrongContext", re: /(?<=:)(?<!ref:)(refs\/[^:]*)/, expected: (m) => `ref:${m[1] ?? ""}` },
  { kind: "wrongContext", re: /(?<=:)(?:heads\/)([^:]*)/, expected: (m) => `ref:refs/heads/${m[1] ?? ""}` },
  { kind: "wrongContext", re: /(?<=:)(?:tags\/)([^:]*)/, expected: (m) => `ref:refs/tags/${m[1] ?? ""}` },
  { kind: "wrongContext", re: /(?<=:)branch(?:es)?:([^:]*)/i, expected: (m) => `ref:refs/heads/${m[1] ?? ""}` },
  { kind: "wrongContext", re: /(?<=:)tags?:([^:]*)/i, expected: (m) => `ref:refs/tags/${m[1] ?? ""}` },
  {
    kind: "wrongContext",
    re: /(?<=:)(?:env|environments|Environment):([^:]*)/,
    expected: (m) => `environment:${m[1] ?? ""}`,
  },
  { kind: "wrongContext", re: /(?<=:)pull_request:[^:]*/, expected: () => "pull_request" },
  {
    kind: "wrongContext",
    re: /(?<=:)(?:pull-request|pullrequest|pull_requests|pull_request_target|pr)(?=:|$)/i,
    expected: () => "pull_request",
  },
  {
    // `repo:acme/app:main`: a bare name where the context goes, most often a branch.
    kind: "wrongContext",
    re: /(?<=^repo:[^:/]+\/[^:/]+:)(?!(?:ref|environment|pull_request|refs|heads|tags)(?:[:/]|$))([A-Za-z0-9][\w./-]*)$/,
    expected: (m) => `ref:refs/heads/${m[1] ?? ""}`,
  },
];

function replaceKnown(text: string, re: RegExp, by: string): string {
  return text.replace(re, () => by);
}

function diagnose(value: StrValue, mode: MatchMode, template: readonly string[]): SubProblem {
  const text = displayText(value);
  if (text === "") return { kind: "empty" };
  if (/^\s|\s$/.test(text)) {
    const trimmed = text.trim();
    return { kind: "whitespace", token: /^\s/.test(text) ? "leading" : "trailing", suggestion: trimmed };
  }
  const url = /^(?:https?:\/\/)?(?:www\.)?github\.com\/([^/\s]+)\/([^/\s#?]+)/i.exec(text);
  if (url || /^https?:\/\//i.test(text)) {
    const owner = url?.[1] ?? "OWNER";
    const repo = (url?.[2] ?? "REPO").replace(/\.git$/, "");
    return {
      kind: "url",
      token: text,
      expected: `repo:${owner}/${repo}:…`,
      suggestion: `repo:${owner}/${repo}:ref:refs/heads/main`,
    };
  }
  // `repo:{github-org}/{repo}:…`, `repo:<OWNER>/*`, `repo:$ORG/…`: a placeholder for the repository, left to be filled in.
  const known = value.parts.map((p) => (typeof p === "string" ? p : "\0")).join("");
  const placeholder = PLACEHOLDER.exec((known.startsWith("repo:") ? known.slice(5) : known).split(":")[0] ?? "");
  if (placeholder) return { kind: "placeholder", token: placeholder[0] };
  if (/\s/.test(text)) {
    const fixed = text.replace(/\s+/g, "");
    return { kind: "whitespace", token: "inner", suggestion: fixed };
  }
  if (mode !== "like" && /[*?]/.test(text.replace(/\$\{[^}]*\}/g, "")) && canMatchSub(value, "like", template)) {
    return { kind: "literalWildcard", token: /\*/.test(text) ? "*" : "?" };
  }

  // Token fixes, applied cumulatively; the first names the problem.
  let fixed = text;
  let first: SubProblem | undefined;
  const note = (p: SubProblem): void => {
    first ??= p;
  };
  if (template[0] === "repo" && !fixed.startsWith("repo:") && !/^[*?]/.test(fixed) && !fixed.startsWith("${")) {
    const prefix = /^(?:repository|repos|Repo|REPO|rep):/.exec(fixed);
    const contextFirst = /^(?:ref:|refs\/|heads\/|tags\/|environment:|pull_request)/.test(fixed);
    const bare = !contextFirst && /^[A-Za-z0-9_-]+(?:@[0-9*]+)?\/[A-Za-z0-9_.*-]+/.test(fixed);
    if (prefix) {
      note({ kind: "missingRepoPrefix", token: prefix[0], expected: "repo:" });
      fixed = `repo:${fixed.slice(prefix[0].length)}`;
    } else if (bare) {
      note({ kind: "missingRepoPrefix", token: fixed.split(":")[0] ?? fixed, expected: "repo:" });
      fixed = `repo:${fixed}`;
    } else if (contextFirst) {
      note({ kind: "missingRepoPrefix", token: fixed.split(":")[0] ?? fixed, expected: "repo:OWNER/REPO:" });
      fixed = `repo:OWNER/REPO:${fixed}`;
    }
  }
  for (const fix of CONTEXT_FIXES) {
    const m = fix.re.exec(fixed);
    if (!m) continue;
    const expected = fix.expected(m);
    if (expected === m[0]) continue;
    note({ kind: fix.kind, token: m[0], expected });
    fixed = replaceKnown(fixed, fix.re, expected);
  }
  if (first) {
    if (fixed !== text) first.suggestion = fixed;
    return first;
  }
  const mixed = /^repo:[^/:@]+\/[^/:@]+@|^repo:[^/:@]+@[^/:]+\/[^/:@]+(?::|$)/.exec(text);
  if (mixed && template.includes("repo")) return { kind: "mixedForm" };
  // `repo:acme/app`: the repository alone, where the template goes on with the context.
  if (template[0] === "repo" && template[1] === "context" && /^repo:[^:/\s]+\/[^:/\s]+$/.test(text))
    return { kind: "noContext" };
  return { kind: "neverMatches" };
}

/** The template as people write the claim: `repo:OWNER/REPO:CONTEXT`, `repository_owner_id:ID:CONTEXT`. */
export function describeTemplate(template: readonly string[]): string {
  return template
    .map((k) => {
      if (k === "context") return "CONTEXT";
      if (k === "repo" || k === "repository") return `${k}:OWNER/REPO`;
      return `${k}:${k.toUpperCase()}`;
    })
    .join(":");
}

/** An example claim under the template for a repository, for messages and suggestions. */
export function exampleSub(template: readonly string[], repository: string, branch: string): string {
  const [owner = "OWNER"] = repository.split("/");
  return template
    .map((k) => {
      switch (k) {
        case "context":
          return `ref:refs/heads/${branch}`;
        case "repo":
        case "repository":
          return `${k}:${repository}`;
        case "repository_owner":
          return `${k}:${owner}`;
        case "job_workflow_ref":
          return `${k}:${repository}/.github/workflows/WORKFLOW.yml@refs/heads/${branch}`;
        default:
          return `${k}:${k.toUpperCase()}`;
      }
    })
    .join(":");
}

// ---------------------------------------------------------------------------------------------------
// job_workflow_ref values

export interface WorkflowRefAnalysis {
  text: string;
  /** Set when the structure is known well enough to be certain (never `anyContext`: the ref is not judged). */
  breadth?: Breadth;
  /** The owner, when written literally. */
  owner?: string;
}

/**
 * Breadth of a `job_workflow_ref` value, `OWNER/REPO/PATH@REF` (e.g.
 * `acme/deploy/.github/workflows/deploy.yml@refs/heads/main`): a wildcard before the first `/` admits
 * workflows of any owner (`*`, `*\/deploy.yml@*`, `acm*`); one in the repository name, workflows of other
 * repositories of the owner (`acme/*`). Unknown parts stand for a value of the segment they sit in; a value
 * that starts with one has no known structure. Under `StringEquals` there are no wildcards.
 */
export function analyseJobWorkflowRef(value: StrValue, mode: MatchMode): WorkflowRefAnalysis {
  const text = displayText(value);
  const out: WorkflowRefAnalysis = { text };
  const els = elementsOf(value, mode);
  if (els.length === 0 || els[0]?.kind === "unknown") return out;
  const isWildcard = (e: Element): boolean => e.kind === "any" || e.kind === "one";
  const slashes = els.flatMap((e, i) => (e.kind === "char" && e.ch === "/" ? [i] : []));
  const [firstSlash, secondSlash] = slashes;
  if (firstSlash === undefined) {
    if (els.some(isWildcard)) out.breadth = "anyOwner";
    return out;
  }
  const ownerEls = els.slice(0, firstSlash);
  if (ownerEls.some(isWildcard)) {
    out.breadth = "anyOwner";
    return out;
  }
  const ownerChars = ownerEls.flatMap((e) => (e.kind === "char" ? [e.ch] : []));
  if (ownerChars.length === ownerEls.length) out.owner = ownerChars.join("");
  const repoEls = els.slice(firstSlash + 1, secondSlash ?? els.length);
  if (repoEls.some(isWildcard)) out.breadth = "ownerWide";
  else if (repoEls.length > 0) out.breadth = "scoped";
  return out;
}

/** An example `job_workflow_ref` for a repository: its deploy workflow on the default branch. */
export function exampleJobWorkflowRef(repository: string, branch: string): string {
  return `${repository}/.github/workflows/deploy.yml@refs/heads/${branch}`;
}

// ---------------------------------------------------------------------------------------------------
// The sub values of GitHub trust statements, for the rules

export interface SubConditionValue {
  doc: PolicyDocument;
  stmt: Statement;
  condition: GitHubCondition;
  value: StrValue;
  /** Position of the value in its condition's list (IAM's create-time check reads only index 0). */
  index: number;
  mode: MatchMode;
  analysis: SubAnalysis;
}

/** How a string operator compares; undefined for operators that are not string comparisons. */
export function matchModeOf(condition: GitHubCondition): MatchMode | undefined {
  const m = condition.operator.match;
  return m === "other" ? undefined : m;
}

/**
 * Every value of every string condition on `…:sub` in an Allow statement that trusts GitHub, analysed
 * under the configured template. Negated operators are included (`condition.operator.negated`).
 */
export function* githubSubValues(
  policies: readonly PolicyDocument[],
  settings: Pick<ResolvedSettings, "issuer" | "subClaimTemplate">,
): Generator<SubConditionValue> {
  for (const { doc, stmt } of githubTrustStatements(policies, settings)) {
    for (const condition of githubConditions(stmt, settings)) {
      if (condition.claim !== "sub") continue;
      const mode = matchModeOf(condition);
      if (!mode) continue;
      let index = 0;
      for (const value of condition.condition.values.items) {
        yield {
          doc,
          stmt,
          condition,
          value,
          index,
          mode,
          analysis: analyseSub(value, mode, settings.subClaimTemplate),
        };
        index++;
      }
    }
  }
}

/**
 * What a message says about a value that is not wholly literal: where it came from and which parts were
 * unknown. Empty for a literal value.
 */
export function valueNote(value: StrValue): string {
  const names = unknownNames(value);
  if (names.length === 0) return value.origin === undefined ? "" : ` (value from ${value.origin})`;
  const list = names.map((n) => `\`${n}\``).join(", ");
  const why = value.origin === undefined ? "" : `: ${value.origin}`;
  return ` (${list} ${names.length > 1 ? "are" : "is"} unknown here${why}; the finding holds whatever ${names.length > 1 ? "their values" : "its value"})`;
}
