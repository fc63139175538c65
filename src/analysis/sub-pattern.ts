import type { ResolvedSettings } from "../config/settings.js";
import { githubConditions, githubTrustStatements, type GitHubCondition } from "./github-trust.js";
import type { PolicyDocument, Statement } from "../model/policy.js";
import { displayText, unknownNames, type StrValue } from "../model/value.js";

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
  wildcardParts: Set<Part>;
  /** Exact names of the repository part, when written without wildcards or unknowns. */
  owner?: string;
  repo?: string;
  ownerId?: string;
  repoId?: string;
  /** `name`: `OWNER/REPO` without ids; `immutable`: `OWNER@ID/REPO@ID` (ids may be wildcards). */
  form?: "name" | "immutable";
  /** Why the value never matches (only when `canMatch` is false). */
  problem?: SubProblem;
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

// ---------------------------------------------------------------------------------------------------
// The grammar of sub claims

type CharTest = (c: string) => boolean;

interface Edge {
  to: number;
  test: CharTest;
  part: Part;
  /** Index of the template key the edge belongs to. */
  field: number;
  /** `field:part`, the name walk results use. */
  key: string;
}

interface Grammar {
  edges: Edge[][];
  eps: number[][];
  start: number;
  accept: number;
  /** Number of template fields (each edge's `field` is below it). */
  fieldCount: number;
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

  private add(from: number, edge: Omit<Edge, "key">): void {
    this.edges[from]?.push({ ...edge, key: `${edge.field}:${edge.part}` });
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
  const fieldCount = Math.max(1, template.length);
  const grammar: Grammar = { edges: b.edges, eps: b.eps, start, accept: s, fieldCount };
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
      if (mode === "like" && ch === "*") out.push({ kind: "any", source: ch });
      else if (mode === "like" && ch === "?") out.push({ kind: "one", source: ch });
      else out.push({ kind: "char", ch, source: ch });
      i++;
    }
  }
  return out;
}

interface WalkResult {
  accepted: boolean;
  /** Claim parts (`field:part`) a wildcard covers on some match. */
  wildcardParts: Set<string>;
  /** Claim parts an unknown covers on some match. */
  unknownParts: Set<string>;
  /** For each literal element, the claim parts it stands for on some match. */
  charParts: Map<number, Set<string>>;
}

/** A set of state ids below `size`: a byte per state while that is small, else a `Set`. */
function stateSet(size: number): { has(n: number): boolean; add(n: number): void } {
  if (size > 1 << 20) return new Set<number>();
  const bytes = new Uint8Array(size);
  return {
    has: (n) => bytes[n] === 1,
    add: (n) => {
      bytes[n] = 1;
    },
  };
}

/**
 * Walks pattern and grammar together (a product automaton): forward from the start, then backward from
 * the accepting states, so that only steps on some complete match are recorded. `unknowns`:
 * `anything` lets an unknown part be any text; `onePart` keeps each unknown inside one claim part.
 */
function walk(els: Element[], grammar: Grammar, mode: MatchMode, unknowns: "anything" | "onePart"): WalkResult {
  const partCount = PARTS.length;
  // A state is (element index, grammar state, lock); only `onePart` locks an unknown to one claim part.
  const locks = unknowns === "onePart" ? grammar.fieldCount * partCount + 1 : 1;
  const gCount = grammar.edges.length;
  const id = (pi: number, g: number, lock: number): number => (pi * gCount + g) * locks + lock;
  const lockOf = (e: Edge): number => e.field * partCount + PART_INDEX[e.part] + 1;
  const ignoreCase = mode === "equalsIgnoreCase";
  const matches = (e: Edge, ch: string): boolean =>
    e.test(ch) || (ignoreCase && (e.test(ch.toLowerCase()) || e.test(ch.toUpperCase())));

  // Steps in parallel arrays (a long value makes many): from and to states, the element index, the edge taken.
  const stepFrom: number[] = [];
  const stepTo: number[] = [];
  const stepPi: number[] = [];
  const stepEdge: (Edge | undefined)[] = [];
  const stateCount = (els.length + 1) * gCount * locks;
  const seen = stateSet(stateCount);
  const stack: number[] = [];
  const push = (from: number, pi: number, g: number, lock: number, at: number, edge?: Edge): void => {
    const to = id(pi, g, lock);
    stepFrom.push(from);
    stepTo.push(to);
    stepPi.push(at);
    stepEdge.push(edge);
    if (!seen.has(to)) {
      seen.add(to);
      stack.push(to);
    }
  };
  const start = id(0, grammar.start, 0);
  seen.add(start);
  stack.push(start);
  const STEP_LIMIT = 2_000_000;
  while (stack.length > 0 && stepTo.length < STEP_LIMIT) {
    const here = stack.pop() as number;
    const lock = here % locks;
    const g = ((here - lock) / locks) % gCount;
    const pi = Math.floor(here / locks / gCount);
    for (const to of grammar.eps[g] ?? []) push(here, pi, to, lock, pi);
    const el = els[pi];
    if (!el) continue;
    const edges = grammar.edges[g] ?? [];
    switch (el.kind) {
      case "char":
        for (const e of edges) if (matches(e, el.ch)) push(here, pi + 1, e.to, 0, pi, e);
        break;
      case "one":
        for (const e of edges) push(here, pi + 1, e.to, 0, pi, e);
        break;
      case "any":
        push(here, pi + 1, g, 0, pi);
        for (const e of edges) push(here, pi, e.to, 0, pi, e);
        break;
      case "unknown":
        push(here, pi + 1, g, 0, pi);
        for (const e of edges) {
          if (unknowns === "anything") push(here, pi, e.to, 0, pi, e);
          else if (lock === 0 || lock === lockOf(e)) push(here, pi, e.to, lockOf(e), pi, e);
        }
        break;
    }
  }

  // Backward: states from which an accepting state is reachable. The steps into each state, as linked lists
  // in arrays: `lastInto` by state, `previousInto` by step.
  const lastInto = new Map<number, number>();
  const previousInto = new Int32Array(stepTo.length);
  for (let i = 0; i < stepTo.length; i++) {
    const to = stepTo[i] as number;
    previousInto[i] = lastInto.get(to) ?? -1;
    lastInto.set(to, i);
  }
  const live = stateSet(stateCount);
  const queue: number[] = [];
  for (let lock = 0; lock < locks; lock++) {
    const acc = id(els.length, grammar.accept, lock);
    if (seen.has(acc)) {
      live.add(acc);
      queue.push(acc);
    }
  }
  while (queue.length > 0) {
    const s = queue.pop() as number;
    for (let i = lastInto.get(s) ?? -1; i >= 0; i = previousInto[i] ?? -1) {
      const from = stepFrom[i] as number;
      if (!live.has(from)) {
        live.add(from);
        queue.push(from);
      }
    }
  }

  const result: WalkResult = {
    accepted: live.has(start),
    wildcardParts: new Set(),
    unknownParts: new Set(),
    charParts: new Map(),
  };
  if (!result.accepted) return result;
  for (let i = 0; i < stepTo.length; i++) {
    const edge = stepEdge[i];
    if (!edge || !live.has(stepTo[i] as number) || !live.has(stepFrom[i] as number)) continue;
    const at = stepPi[i] as number;
    const el = els[at];
    const key = edge.key;
    if (el?.kind === "any" || el?.kind === "one") result.wildcardParts.add(key);
    else if (el?.kind === "unknown") result.unknownParts.add(key);
    else if (el?.kind === "char") {
      const set = result.charParts.get(at);
      if (set) set.add(key);
      else result.charParts.set(at, new Set([key]));
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Analysis

function partsOnly(keys: Set<string>): Set<Part> {
  const out = new Set<Part>();
  for (const k of keys) out.add(k.slice(k.indexOf(":") + 1) as Part);
  return out;
}

function breadthOf(wildcards: Set<Part>): Breadth {
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
  w: WalkResult,
  chars: readonly [number, Set<string>][],
  key: string,
): { text: string; first: number; last: number } | undefined {
  if (w.wildcardParts.has(key) || w.unknownParts.has(key)) return undefined;
  let text = "";
  let first = -1;
  let last = -1;
  for (const [pi, parts] of chars) {
    if (!parts.has(key)) continue;
    if (parts.size !== 1) return undefined;
    if (last >= 0 && pi !== last + 1) return undefined;
    if (first < 0) first = pi;
    last = pi;
    const el = els[pi];
    text += el?.kind === "char" ? el.ch : "";
  }
  return first < 0 ? undefined : { text, first, last };
}

function anyPart(w: WalkResult, key: string): boolean {
  if (w.wildcardParts.has(key) || w.unknownParts.has(key)) return true;
  for (const parts of w.charParts.values()) if (parts.has(key)) return true;
  return false;
}

const templateKeys = new WeakMap<readonly string[], string>();

/** A template as a cache key, joined once per template array. */
function templateKey(template: readonly string[]): string {
  let key = templateKeys.get(template);
  if (key === undefined) templateKeys.set(template, (key = template.join("\u0000")));
  return key;
}

/** Analyses by value: each rule asks about the same values, and a policy may hold thousands of them. */
const analyses = new WeakMap<StrValue, Map<string, SubAnalysis>>();

/**
 * Analyses one sub condition value under a template. Never throws. The analysis is computed once per value,
 * mode and template and shared by every caller: read it, never change it.
 */
export function analyseSub(
  value: StrValue,
  mode: MatchMode,
  template: readonly string[] = DEFAULT_SUB_TEMPLATE,
): SubAnalysis {
  const key = `${mode}\u0000${templateKey(template)}`;
  let byKey = analyses.get(value);
  const known = byKey?.get(key);
  if (known) return known;
  const analysis = analyseAnew(value, mode, template);
  if (!byKey) {
    byKey = new Map<string, SubAnalysis>();
    analyses.set(value, byKey);
  }
  byKey.set(key, analysis);
  return analysis;
}

function analyseAnew(value: StrValue, mode: MatchMode, template: readonly string[]): SubAnalysis {
  const text = displayText(value);
  const analysis: SubAnalysis = { text, canMatch: false, wildcardParts: new Set() };
  const els = elementsOf(value, mode);
  if (els.length > MAX_ELEMENTS || template.length === 0) {
    analysis.canMatch = true;
    return analysis;
  }
  const grammar = grammarFor(template);
  const any = walk(els, grammar, mode, "anything");
  analysis.canMatch = any.accepted;
  if (!any.accepted) {
    analysis.problem = diagnose(value, mode, template);
    return analysis;
  }

  // Names, for stale-repo-path and mutable-sub-claim: exact when written literally.
  const rf = repositoryField(template);
  if (rf >= 0) {
    // Literal elements in pattern order.
    const chars = [...any.charParts.entries()].sort((a, b) => a[0] - b[0]);
    const owner = exactPart(els, any, chars, `${rf}:owner`);
    const repo = exactPart(els, any, chars, `${rf}:repo`);
    const ownerId = exactPart(els, any, chars, `${rf}:ownerId`);
    const repoId = exactPart(els, any, chars, `${rf}:repoId`);
    if (owner) analysis.owner = owner.text;
    if (repo) analysis.repo = repo.text;
    if (ownerId) analysis.ownerId = ownerId.text.replace(/^@/, "");
    if (repoId) analysis.repoId = repoId.text.replace(/^@/, "");
    const hasIds = anyPart(any, `${rf}:ownerId`) || anyPart(any, `${rf}:repoId`);
    if (hasIds) analysis.form = "immutable";
    else if (owner) {
      analysis.form = "name";
      // Insert the id placeholders right after the names.
      analysis.immutableForm = els
        .map((el, i) => el.source + (i === owner.last ? "@OWNER_ID" : "") + (repo && i === repo.last ? "@REPO_ID" : ""))
        .join("");
    }
  }

  // Breadth: each unknown stands for a value of one claim part. A value that starts with an unknown
  // has no known structure to speak of.
  if (els[0]?.kind === "unknown") return analysis;
  const onePart = els.some((e) => e.kind === "unknown") ? walk(els, grammar, mode, "onePart") : any;
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
  return walk(els, grammarFor(template), mode, "anything").accepted;
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
