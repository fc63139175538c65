import type { ResolvedSettings } from "../config/settings.js";
import {
  githubConditions,
  isAllow,
  isDeny,
  isGitHubIssuer,
  parseConditionKey,
  parseOperator,
  trustsGitHub,
  type OperatorInfo,
} from "./github-trust.js";
import type { Condition, PolicyDocument, Statement } from "../model/policy.js";
import { displayText, knownText, type StrValue } from "../model/value.js";
import { DEFAULT_SUB_TEMPLATE, isDefaultSubTemplate, spellsOutTemplate } from "./sub-pattern.js";

/** The settings claim predictions are judged with; without `subClaimTemplate`, the default template. */
type EvalSettings = Pick<ResolvedSettings, "issuer"> & Partial<Pick<ResolvedSettings, "subClaimTemplate">>;

/**
 * The one IAM condition matcher of oidclint, shared by `trust-mismatch`, `audience-drift`, `check` and
 * `explain`. Two ways in:
 * - `evaluateCondition` / `evaluatePolicy`: concrete claims (a decoded token, `--sub`), three-valued
 *   (`pass`, `fail`, `unknown` when the policy or the claims hold something that cannot be read);
 * - `findRefusedClaim`: predicted claims in which one piece (a branch or tag name) ranges over a set
 *   (a GitHub filter such as `release/**`); decides whether some admitted name is refused, with an
 *   example, by exploring the product of small position automata.
 * IAM semantics: operators AND; values of one key OR (NOR when negated); keys case-insensitive; values
 * case-sensitive; `StringLike` `*` any run (also `/` and `:`), `?` one character; `…IfExists` and
 * negated operators pass when the key is absent; a positive operator fails then.
 */

export type Tri = "pass" | "fail" | "unknown";

// ---------------------------------------------------------------------------------------------
// Position automata over patterns

/** One position of a pattern: a character test that is taken once, optionally, or any number of times. */
interface Token {
  test: (ch: string) => boolean;
  kind: "one" | "opt" | "rep";
}

/** A pattern as a list of tokens; the state set is the positions reached (length = accepted). */
export class PatternAutomaton {
  readonly tokens: Token[];

  constructor(tokens: Token[]) {
    // `**` and `*` runs: consecutive repeats of the same test are one repeat (a long `*****` costs one state).
    this.tokens = tokens.filter(
      (t, i) => !(t.kind === "rep" && i > 0 && tokens[i - 1]?.kind === "rep" && tokens[i - 1]?.test === t.test),
    );
  }

  /** How the pattern's positions see a character: characters with one signature are interchangeable. */
  signature(ch: string): string {
    let out = "";
    for (const t of this.tokens) out += t.test(ch) ? "1" : "0";
    return out;
  }

  private close(set: Set<number>): Set<number> {
    const stack = [...set];
    while (stack.length > 0) {
      const i = stack.pop() ?? 0;
      const t = this.tokens[i];
      if (t && t.kind !== "one" && !set.has(i + 1)) {
        set.add(i + 1);
        stack.push(i + 1);
      }
    }
    return set;
  }

  start(): Set<number> {
    return this.close(new Set([0]));
  }

  step(set: ReadonlySet<number>, ch: string): Set<number> {
    const out = new Set<number>();
    for (const i of set) {
      const t = this.tokens[i];
      if (!t?.test(ch)) continue;
      out.add(t.kind === "rep" ? i : i + 1);
    }
    return this.close(out);
  }

  accepts(set: ReadonlySet<number>): boolean {
    return set.has(this.tokens.length);
  }

  run(set: ReadonlySet<number>, text: string): Set<number> {
    let cur = new Set(set);
    for (const ch of text) cur = this.step(cur, ch);
    return cur;
  }

  matches(text: string): boolean {
    return this.accepts(this.run(this.start(), text));
  }
}

const ANY = (): boolean => true;
const NOT_SLASH = (c: string): boolean => c !== "/";

function literal(ch: string, ignoreCase: boolean): (c: string) => boolean {
  if (!ignoreCase) return (c) => c === ch;
  const l = ch.toLowerCase();
  return (c) => c.toLowerCase() === l;
}

/**
 * Compiles a condition value for an operator. `StringLike` reads `*` and `?`; `StringEquals` is
 * literal. Policy variables `${*}`, `${?}`, `${$}` stand for the literal character; any other `${…}`
 * is a value the policy fills at request time: undefined (unknown).
 */
export function compileIamValue(value: string, match: OperatorInfo["match"]): PatternAutomaton | undefined {
  if (match === "other") return undefined;
  const tokens: Token[] = [];
  return valueTokens(value, match, tokens) ? new PatternAutomaton(tokens) : undefined;
}

/**
 * A value with unknown parts (a variable without a value) as the pattern of everything it may be: each
 * unknown part any run of characters. It accepts at least what the value will, so a claim it refuses is
 * refused whatever the unknown parts hold (`repo:${org}/billing:…` never admits `acme/shop`).
 */
export function compileWithUnknowns(value: StrValue, match: OperatorInfo["match"]): PatternAutomaton | undefined {
  if (match === "other") return undefined;
  const tokens: Token[] = [];
  for (const part of value.parts) {
    if (typeof part !== "string") tokens.push({ kind: "rep", test: ANY });
    else if (!valueTokens(part, match, tokens)) return undefined;
  }
  return new PatternAutomaton(tokens);
}

/** Appends the tokens of a known text; false for a policy variable the token cannot fill (`${aws:username}`). */
function valueTokens(value: string, match: OperatorInfo["match"], tokens: Token[]): boolean {
  const ignoreCase = match === "equalsIgnoreCase";
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    if (ch === "$" && value[i + 1] === "{") {
      const end = value.indexOf("}", i);
      const inner = end < 0 ? undefined : value.slice(i + 2, end);
      if (inner === "*" || inner === "?" || inner === "$") {
        tokens.push({ kind: "one", test: literal(inner, false) });
        i = end;
        continue;
      }
      return false;
    }
    if (match === "like" && ch === "*") tokens.push({ kind: "rep", test: ANY });
    else if (match === "like" && ch === "?") tokens.push({ kind: "one", test: ANY });
    else tokens.push({ kind: "one", test: literal(ch, ignoreCase) });
  }
  return true;
}

/**
 * GitHub's branch/tag filter glob (`on.push.branches`): `*` any run without `/`, `**` any run, `?` the
 * previous character zero or one time, `+` one or more times, `[a-z0-9]` one listed character, `\`
 * escapes. A leading `!` (negation) is handled by `filterAdmits`, not here.
 */
export function compileFilterGlob(pattern: string): PatternAutomaton {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === "*") {
      if (pattern[i + 1] === "*") {
        tokens.push({ kind: "rep", test: ANY });
        i++;
      } else tokens.push({ kind: "rep", test: NOT_SLASH });
      continue;
    }
    if (ch === "?" || ch === "+") {
      const prev = tokens[tokens.length - 1];
      if (prev?.kind === "one") {
        if (ch === "?") prev.kind = "opt";
        else tokens.push({ kind: "rep", test: prev.test });
      }
      continue;
    }
    if (ch === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end > i + 1) {
        const body = pattern.slice(i + 1, end);
        const members: [string, string][] = [];
        for (let j = 0; j < body.length; j++) {
          const a = body.charAt(j);
          if (body[j + 1] === "-" && j + 2 < body.length) {
            members.push([a, body.charAt(j + 2)]);
            j += 2;
          } else members.push([a, a]);
        }
        tokens.push({ kind: "one", test: (c) => members.some(([lo, hi]) => c >= lo && c <= hi) });
        i = end;
        continue;
      }
    }
    if (ch === "\\" && i + 1 < pattern.length) {
      i++;
      tokens.push({ kind: "one", test: literal(pattern.charAt(i), false) });
      continue;
    }
    tokens.push({ kind: "one", test: literal(ch, false) });
  }
  return new PatternAutomaton(tokens);
}

/** Whether a name passes a filter list: the last pattern that matches decides; `!` patterns exclude. */
export function filterListAdmits(patterns: readonly string[], name: string): boolean {
  let admitted = false;
  for (const p of patterns) {
    const negated = p.startsWith("!");
    if (compileFilterGlob(negated ? p.slice(1) : p).matches(name)) admitted = !negated;
  }
  return admitted;
}

// ---------------------------------------------------------------------------------------------
// Concrete claims

/** Claims of one token: claim name (as in the token) → value. */
export type ConcreteClaims = Record<string, string | string[] | undefined>;

export interface ConditionOutcome {
  result: Tri;
  /** The claim the condition reads, lower-cased (`sub`), or the key as written when it is not a GitHub claim. */
  claim: string;
  /** The claim's value as presented, undefined when absent. */
  actual?: string | string[];
  /** The value of the condition that matched (positive) or that excluded (negated), when one did. */
  matchedValue?: string;
  /** Why the result is unknown. */
  reason?: string;
}

function claimValue(claims: ConcreteClaims, claim: string): string | string[] | undefined {
  for (const [k, v] of Object.entries(claims)) if (k.toLowerCase() === claim) return v;
  return undefined;
}

function valueTexts(c: Condition): { texts: string[]; unknown: string[] } {
  const texts: string[] = [];
  const unknown: string[] = [];
  for (const v of c.values.items) {
    const t = knownText(v);
    if (t === undefined) unknown.push(displayText(v) + (v.origin ? ` (from ${v.origin})` : ""));
    else texts.push(t);
  }
  if (c.values.unknown) unknown.push(c.values.unknown.expr);
  return { texts, unknown };
}

/** `Null: { key: "true" }` passes when the key is absent. */
function evaluateNull(c: Condition, present: boolean, claim: string): ConditionOutcome {
  const { texts, unknown } = valueTexts(c);
  if (unknown.length > 0 || texts.length !== 1)
    return { result: "unknown", claim, reason: "the Null condition's value is not readable" };
  const wantsAbsent = texts[0]?.toLowerCase() === "true";
  return { result: wantsAbsent !== present ? "pass" : "fail", claim };
}

/**
 * Evaluates one condition against concrete claims. Keys that are not claims of the configured GitHub
 * issuer (global keys such as `aws:SourceIp`, other providers) are `unknown`: the token alone cannot
 * decide them.
 */
export function evaluateCondition(
  c: Condition,
  claims: ConcreteClaims,
  settings: Pick<ResolvedSettings, "issuer">,
  /** `unknown` when the claims are a partial view (`--sub` alone): a claim not given is not known absent. */
  missing: "absent" | "unknown" = "absent",
): ConditionOutcome {
  const keyText = knownText(c.key);
  if (keyText === undefined)
    return {
      result: "unknown",
      claim: displayText(c.key),
      reason: `the key ${displayText(c.key)} is not known statically`,
    };
  const parsed = parseConditionKey(keyText);
  if (parsed.issuer === undefined || !isGitHubIssuer(parsed.issuer, settings)) {
    return {
      result: "unknown",
      claim: keyText,
      reason: `\`${keyText}\` is not a claim of the GitHub token; it depends on the request, not on the token`,
    };
  }
  const claim = parsed.claim.toLowerCase();
  const op = parseOperator(c.operator.value);
  const actual = claimValue(claims, claim);
  const base: ConditionOutcome =
    actual === undefined ? { result: "unknown", claim } : { result: "unknown", claim, actual };
  if (actual === undefined && missing === "unknown") return { ...base, reason: `the \`${claim}\` claim was not given` };
  if (op.base.toLowerCase() === "null")
    return { ...evaluateNull(c, actual !== undefined, claim), ...(actual !== undefined ? { actual } : {}) };
  if (op.match === "other")
    return { ...base, reason: `operator ${op.text} is not a string operator oidclint evaluates` };
  if (actual === undefined) {
    if (op.ifExists || op.negated || op.set === "ForAllValues") return { ...base, result: "pass" };
    return { ...base, result: "fail" };
  }
  const { texts, unknown } = valueTexts(c);
  const values = Array.isArray(actual) ? actual : [actual];
  const patterns: { text: string; auto: PatternAutomaton | undefined }[] = texts.map((t) => ({
    text: t,
    auto: compileIamValue(t, op.match),
  }));
  // For each claim value: does some condition value match it? (true / false / undefined = cannot tell)
  const perValue = values.map((v): { hit?: string; certain: boolean } => {
    const hit = patterns.find((p) => p.auto?.matches(v));
    if (hit) return { hit: hit.text, certain: true };
    const undecidable = unknown.length > 0 || patterns.some((p) => p.auto === undefined);
    return { certain: !undecidable };
  });
  const anyHit = perValue.find((p) => p.hit !== undefined);
  const allDecided = perValue.every((p) => p.certain);
  const unknownReason = `the condition holds values that are not known statically (${[...unknown, ...patterns.filter((p) => !p.auto).map((p) => p.text)].join(", ")})`;
  if (op.set === "ForAllValues") {
    // Every claim value must match (negated: match none of the values).
    if (op.negated) {
      if (anyHit) return { ...base, result: "fail", matchedValue: anyHit.hit ?? "" };
      return allDecided ? { ...base, result: "pass" } : { ...base, reason: unknownReason };
    }
    if (perValue.every((p) => p.hit !== undefined)) return { ...base, result: "pass", matchedValue: anyHit?.hit ?? "" };
    return allDecided ? { ...base, result: "fail" } : { ...base, reason: unknownReason };
  }
  // Single-valued claims, and ForAnyValue: some claim value matches (negated: some claim value matches none).
  if (op.negated) {
    if (op.set === "ForAnyValue") {
      if (perValue.some((p) => p.hit === undefined && p.certain)) return { ...base, result: "pass" };
      if (perValue.every((p) => p.hit !== undefined))
        return { ...base, result: "fail", matchedValue: anyHit?.hit ?? "" };
      return { ...base, reason: unknownReason };
    }
    if (anyHit) return { ...base, result: "fail", matchedValue: anyHit.hit ?? "" };
    return allDecided ? { ...base, result: "pass" } : { ...base, reason: unknownReason };
  }
  if (anyHit) return { ...base, result: "pass", matchedValue: anyHit.hit ?? "" };
  return allDecided ? { ...base, result: "fail" } : { ...base, reason: unknownReason };
}

/** AND of three-valued results. */
export function allOf(results: readonly Tri[]): Tri {
  if (results.includes("fail")) return "fail";
  return results.includes("unknown") ? "unknown" : "pass";
}

export interface StatementOutcome {
  stmt: Statement;
  effect: "allow" | "deny";
  conditions: { condition: Condition; outcome: ConditionOutcome }[];
  result: Tri;
}

export interface PolicyOutcome {
  /** `pass`: the claims would be accepted; `fail`: refused; `unknown`: cannot tell statically. */
  result: Tri;
  statements: StatementOutcome[];
}

/**
 * Whether a trust policy accepts concrete claims: some Allow statement trusting GitHub passes, and no
 * Deny statement applies. `skipClaims` leaves conditions on some claims out of the verdict (they still
 * appear in the outcome), e.g. `aud` when only the sub is in question.
 */
export function evaluatePolicy(
  doc: PolicyDocument,
  claims: ConcreteClaims,
  settings: Pick<ResolvedSettings, "issuer">,
  skipClaims: readonly string[] = [],
  missing: "absent" | "unknown" = "absent",
): PolicyOutcome {
  const statements: StatementOutcome[] = [];
  for (const stmt of doc.statements) {
    const allow = trustsGitHub(stmt, settings);
    const deny = isDeny(stmt);
    if (!allow && !deny) continue;
    const conditions = stmt.conditions.map((condition) => ({
      condition,
      outcome: evaluateCondition(condition, claims, settings, missing),
    }));
    const counted = conditions.filter((c) => !skipClaims.includes(c.outcome.claim)).map((c) => c.outcome.result);
    statements.push({ stmt, effect: allow ? "allow" : "deny", conditions, result: allOf(counted) });
  }
  const allows = statements.filter((s) => s.effect === "allow");
  const denies = statements.filter((s) => s.effect === "deny");
  let allowed: Tri = allows.some((s) => s.result === "pass")
    ? "pass"
    : allows.some((s) => s.result === "unknown")
      ? "unknown"
      : "fail";
  if (denies.some((s) => s.result === "pass")) allowed = "fail";
  else if (allowed === "pass" && denies.some((s) => s.result === "unknown")) allowed = "unknown";
  return { result: allowed, statements };
}

// ---------------------------------------------------------------------------------------------
// Predicted claims with a varying piece

/** A piece of a predicted claim value. */
export type Piece =
  | string
  /** A literal whose letter case is not certain (repository names from a git remote). */
  | { anyCase: string }
  /** A run of characters of which only the kind is known (an id: digits; an unknown value: anything). */
  | { run: (ch: string) => boolean; min: 0 | 1 }
  /** One of several forms (name-only or immutable repository). */
  | { oneOf: Piece[][] }
  /** The varying name (branch or tag) under question; at most one per claim value. */
  | { hole: true };

export type PredictedValue = { kind: "absent" } | { kind: "unknown" } | { kind: "pieces"; pieces: Piece[] };

/** Claim name (lower-case) → predicted value. Claims not listed are unknown. */
export type PredictedClaims = ReadonlyMap<string, PredictedValue>;

/** The set of names the hole ranges over, as a filter: each name must be valid and admitted. */
export interface HoleSet {
  /** GitHub filter patterns in order (`!` negates), e.g. `on.push.branches`; undefined: every name. */
  include?: readonly string[];
  /** `branches-ignore` / `tags-ignore`. */
  ignore?: readonly string[];
  /** Names tried first, for a readable example (`feature/login`). */
  samples?: readonly string[];
  /** When given, a name must also start with one of these (a job `if:` with `startsWith`, names as spelled there). */
  prefixes?: readonly string[];
}

/** A pattern for "starts with `prefix`". */
function prefixAutomaton(prefix: string): PatternAutomaton {
  const tokens: Token[] = [];
  for (let i = 0; i < prefix.length; i++) tokens.push({ kind: "one", test: literal(prefix.charAt(i), false) });
  tokens.push({ kind: "rep", test: ANY });
  return new PatternAutomaton(tokens);
}

/** Whether one name is in the hole's set (filters, ignore list and prefixes). */
export function holeAdmits(holes: HoleSet, name: string): boolean {
  if (holes.include !== undefined && !filterListAdmits(holes.include, name)) return false;
  if ((holes.ignore ?? []).some((p) => filterListAdmits([p], name))) return false;
  return holes.prefixes === undefined || holes.prefixes.some((p) => name.startsWith(p));
}

/**
 * Printable characters (and one non-ASCII letter); the hole's alphabet is the subset valid in ref names. Sorted
 * on first use: a run that never searches a hole (one workflow, no policy) does not pay for it at start-up.
 */
let sortedAll: string[] | undefined;
let sortedRef: string[] | undefined;
const allChars = (): string[] =>
  (sortedAll ??= [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), "é"].sort(charOrder));
const refChars = (): string[] => (sortedRef ??= allChars().filter((c) => !" ~^:?*[\\".includes(c)));

/** Letters first, then digits, then the rest: makes examples readable (`a`, not `!`). */
function charOrder(a: string, b: string): number {
  const rank = (c: string): number =>
    /[a-z]/.test(c) ? 0 : /[0-9]/.test(c) ? 1 : c === "-" || c === "/" ? 2 : /[A-Z]/.test(c) ? 3 : 4;
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

const DIGIT = (c: string): boolean => c >= "0" && c <= "9";
export const ID_RUN: Piece = { run: DIGIT, min: 1 };
export const ANY_RUN: Piece = { run: ANY, min: 0 };

/** Runs pieces (without hole) forward from a state set. */
function runPieces(auto: PatternAutomaton, set: ReadonlySet<number>, pieces: readonly Piece[]): Set<number> {
  let cur = new Set(set);
  for (const p of pieces) {
    if (cur.size === 0) return cur;
    if (typeof p === "string") cur = auto.run(cur, p);
    else if ("anyCase" in p) {
      for (const ch of p.anyCase) {
        const lower = auto.step(cur, ch.toLowerCase());
        for (const s of auto.step(cur, ch.toUpperCase())) lower.add(s);
        cur = lower;
      }
    } else if ("run" in p) {
      const chars = allChars().filter(p.run);
      let frontier = cur;
      const reached = p.min === 0 ? new Set(cur) : new Set<number>();
      if (p.min === 1) {
        const first = new Set<number>();
        for (const ch of chars) for (const s of auto.step(cur, ch)) first.add(s);
        frontier = first;
        for (const s of first) reached.add(s);
      }
      for (;;) {
        const next = new Set<number>();
        for (const ch of chars) for (const s of auto.step(frontier, ch)) if (!reached.has(s)) next.add(s);
        if (next.size === 0) break;
        for (const s of next) reached.add(s);
        frontier = next;
      }
      cur = reached;
    } else if ("oneOf" in p) {
      const out = new Set<number>();
      for (const alt of p.oneOf) for (const s of runPieces(auto, cur, alt)) out.add(s);
      cur = out;
    }
  }
  return cur;
}

/** An IAM value applied to a predicted claim: state before the hole, and a test for after it. */
interface HoledMatcher {
  auto: PatternAutomaton;
  start: Set<number>;
  /** Pieces after the hole (empty when the claim has no hole: then `start` is final). */
  suffix: Piece[];
  hasHole: boolean;
}

function holedMatcher(auto: PatternAutomaton, pieces: readonly Piece[]): HoledMatcher {
  const h = pieces.findIndex((p) => typeof p === "object" && "hole" in p);
  if (h < 0) return { auto, start: runPieces(auto, auto.start(), pieces), suffix: [], hasHole: false };
  const rest = pieces.slice(h + 1).map((p) => (typeof p === "object" && "hole" in p ? ANY_RUN : p));
  return { auto, start: runPieces(auto, auto.start(), pieces.slice(0, h)), suffix: rest, hasHole: true };
}

/** A boolean formula over matchers, evaluated on their current state sets. */
type Formula =
  | { kind: "const"; value: boolean }
  | { kind: "some"; ids: number[] }
  | { kind: "none"; ids: number[] }
  | { kind: "and" | "or"; parts: Formula[] };

interface Problem {
  matchers: HoledMatcher[];
  formula: Formula;
}

function evalFormula(f: Formula, accepted: (id: number) => boolean): boolean {
  switch (f.kind) {
    case "const":
      return f.value;
    case "some":
      return f.ids.some(accepted);
    case "none":
      return !f.ids.some(accepted);
    case "and":
      return f.parts.every((p) => evalFormula(p, accepted));
    case "or":
      return f.parts.some((p) => evalFormula(p, accepted));
  }
}

/**
 * The formula of "this statement accepts", read optimistically: what cannot be known (unknown values,
 * claims that cannot be predicted, keys of other issuers, non-string operators) is taken to pass, so
 * that a refusal derived from it is certain.
 */
function statementFormula(
  stmt: Statement,
  claims: PredictedClaims,
  settings: EvalSettings,
  matchers: HoledMatcher[],
  skipClaims: readonly string[],
): Formula {
  const parts: Formula[] = [];
  for (const gc of githubConditions(stmt, settings)) {
    if (skipClaims.includes(gc.claim)) continue;
    const op = gc.operator;
    const predicted = claims.get(gc.claim) ?? { kind: "unknown" };
    if (op.base.toLowerCase() === "null") {
      const { texts, unknown } = valueTexts(gc.condition);
      if (predicted.kind === "unknown" || unknown.length > 0 || texts.length !== 1) continue;
      const wantsAbsent = texts[0]?.toLowerCase() === "true";
      parts.push({ kind: "const", value: wantsAbsent === (predicted.kind === "absent") });
      continue;
    }
    if (op.match === "other" || predicted.kind === "unknown") continue;
    // Values written for a customised sub template, read against a sub predicted under the default one: the
    // repository customised its claim, so the prediction is not the sub GitHub issues.
    if (
      gc.claim === "sub" &&
      isDefaultSubTemplate(settings.subClaimTemplate ?? DEFAULT_SUB_TEMPLATE) &&
      gc.condition.values.items.some(spellsOutTemplate)
    )
      continue;
    if (predicted.kind === "absent") {
      parts.push({ kind: "const", value: op.ifExists || op.negated || op.set === "ForAllValues" });
      continue;
    }
    const autos = op.negated
      ? valueTexts(gc.condition).texts.map((t) => compileIamValue(t, op.match))
      : // A value with unknown parts stands for everything it may be; a list not known at all may match anything.
        gc.condition.values.items.map((v) => compileWithUnknowns(v, op.match));
    const known = autos.filter((a): a is PatternAutomaton => a !== undefined);
    const someUnknown = gc.condition.values.unknown !== undefined || known.length < autos.length;
    if (!op.negated && someUnknown) continue;
    const ids = known.map((a) => matchers.push(holedMatcher(a, predicted.pieces)) - 1);
    // Negated: the unknown values are taken to exclude nothing.
    parts.push({ kind: op.negated ? "none" : "some", ids });
  }
  return { kind: "and", parts };
}

/** Principal-level facts the claims cannot change are the caller's business; this reads conditions only. */
function buildProblem(
  docs: readonly PolicyDocument[],
  claims: PredictedClaims,
  settings: EvalSettings,
  skipClaims: readonly string[],
): Problem {
  const matchers: HoledMatcher[] = [];
  const parts: Formula[] = [];
  for (const doc of docs) {
    for (const stmt of doc.statements) {
      // Deny statements can only refuse more; leaving them out keeps every refusal certain.
      if (!isAllow(stmt) || !trustsGitHub(stmt, settings)) continue;
      parts.push(statementFormula(stmt, claims, settings, matchers, skipClaims));
    }
  }
  return { matchers, formula: { kind: "or", parts } };
}

export type Prediction =
  | { verdict: "accepted" }
  | { verdict: "refused"; example?: string }
  /** Too large to explore, or nothing in the policy trusts GitHub. */
  | { verdict: "undecided" };

const VALIDITY_DEAD = -1;
/** Ref-name validity: no empty component, no component starting with `.`. States: 0 start, 1 after `/`, 2 inside a component. */
function validityStep(state: number, ch: string): number {
  if (state === VALIDITY_DEAD) return state;
  if (ch === "/") return state === 2 ? 1 : VALIDITY_DEAD;
  if (ch === "." && state !== 2) return VALIDITY_DEAD;
  return 2;
}

/**
 * Whether some name of `holes` yields claims that no Allow statement of `docs` accepts. Without a hole in
 * the claims, decides the single claim set. `skipClaims` are left to other rules (`aud`).
 */
export function findRefusedClaim(
  docs: readonly PolicyDocument[],
  claims: PredictedClaims,
  settings: EvalSettings,
  holes: HoleSet | undefined,
  skipClaims: readonly string[] = [],
): Prediction {
  const problem = buildProblem(docs, claims, settings, skipClaims);
  if (problem.formula.kind === "or" && problem.formula.parts.length === 0) return { verdict: "undecided" };
  const { matchers, formula } = problem;
  const acceptedNow = (sets: readonly ReadonlySet<number>[]): boolean =>
    evalFormula(formula, (id) => {
      const m = matchers[id];
      const set = sets[id];
      if (!m || !set) return false;
      return m.auto.accepts(m.hasHole ? runPieces(m.auto, set, m.suffix) : set);
    });
  const hasHole = matchers.some((m) => m.hasHole) || holes !== undefined;
  if (!hasHole || holes === undefined) {
    return acceptedNow(matchers.map((m) => m.start)) ? { verdict: "accepted" } : { verdict: "refused" };
  }

  const include = (holes.include ?? ["**"]).map((p) => ({
    negated: p.startsWith("!"),
    auto: compileFilterGlob(p.startsWith("!") ? p.slice(1) : p),
  }));
  const ignore = (holes.ignore ?? []).map((p) => compileFilterGlob(p));
  const prefixes = (holes.prefixes ?? []).map(prefixAutomaton);
  const admitted = (
    inc: readonly ReadonlySet<number>[],
    ign: readonly ReadonlySet<number>[],
    pre: readonly ReadonlySet<number>[],
  ): boolean => {
    let ok = false;
    for (let i = 0; i < include.length; i++) {
      const f = include[i];
      const s = inc[i];
      if (f && s && f.auto.accepts(s)) ok = !f.negated;
    }
    if (prefixes.length > 0 && !prefixes.some((f, i) => f.accepts(pre[i] ?? new Set()))) return false;
    return (
      ok &&
      !ignore.some((f, i) => {
        const s = ign[i];
        return s !== undefined && f.accepts(s);
      })
    );
  };

  // Samples first: a familiar name makes a better example than the shortest one.
  for (const name of holes.samples ?? []) {
    let v = 0;
    for (const ch of name) v = validityStep(v, ch);
    if (v !== 2) continue;
    const inc = include.map((f) => f.auto.run(f.auto.start(), name));
    const ign = ignore.map((f) => f.run(f.start(), name));
    if (
      !admitted(
        inc,
        ign,
        prefixes.map((f) => f.run(f.start(), name)),
      )
    )
      continue;
    const sets = matchers.map((m) => (m.hasHole ? m.auto.run(m.start, name) : m.start));
    if (!acceptedNow(sets)) return { verdict: "refused", example: name };
  }

  interface Node {
    v: number;
    inc: Set<number>[];
    ign: Set<number>[];
    pre: Set<number>[];
    pol: Set<number>[];
    name: string;
  }
  const key = (n: Node): string =>
    [n.v, ...n.inc.map(setKey), "|", ...n.ign.map(setKey), "|", ...n.pre.map(setKey), "|", ...n.pol.map(setKey)].join(
      ";",
    );
  const first: Node = {
    v: 0,
    inc: include.map((f) => f.auto.start()),
    ign: ignore.map((f) => f.start()),
    pre: prefixes.map((f) => f.start()),
    pol: matchers.map((m) => m.start),
    name: "",
  };
  const seen = new Set([key(first)]);
  const queue: Node[] = [first];
  const alphabet = charClasses([
    ...include.map((f) => f.auto),
    ...ignore,
    ...prefixes,
    ...matchers.filter((m) => m.hasHole).map((m) => m.auto),
  ]);
  // Budget: distinct search states, and positions stepped (patterns thousands of characters long make each state costly).
  let work = 0;
  const setSize = (sets: readonly ReadonlySet<number>[]): number => sets.reduce((n, set) => n + set.size, 0);
  for (let head = 0; head < queue.length; head++) {
    const n = queue[head];
    if (!n) break;
    if (n.v === 2 && admitted(n.inc, n.ign, n.pre) && !acceptedNow(n.pol))
      return { verdict: "refused", example: n.name };
    work += alphabet.length * (setSize(n.inc) + setSize(n.ign) + setSize(n.pre) + setSize(n.pol) + 1);
    if (work > SEARCH_WORK_LIMIT) return { verdict: "undecided" };
    for (const ch of alphabet) {
      const v = validityStep(n.v, ch);
      if (v === VALIDITY_DEAD) continue;
      const inc = include.map((f, i) => f.auto.step(n.inc[i] ?? new Set(), ch));
      // No positive include pattern can still match: nothing further is admitted.
      if (!include.some((f, i) => !f.negated && (inc[i]?.size ?? 0) > 0)) continue;
      const pre = prefixes.map((f, i) => f.step(n.pre[i] ?? new Set(), ch));
      if (prefixes.length > 0 && pre.every((p) => p.size === 0)) continue;
      const next: Node = {
        v,
        inc,
        ign: ignore.map((f, i) => f.step(n.ign[i] ?? new Set(), ch)),
        pre,
        pol: matchers.map((m, i) => (m.hasHole ? m.auto.step(n.pol[i] ?? new Set(), ch) : (n.pol[i] ?? new Set()))),
        name: n.name + ch,
      };
      const k = key(next);
      if (seen.has(k)) continue;
      seen.add(k);
      if (seen.size > SEARCH_STATE_LIMIT) return { verdict: "undecided" };
      queue.push(next);
    }
  }
  return { verdict: "accepted" };
}

/** The search gives up (undecided, no finding) past this many distinct states or this many position steps. */
const SEARCH_STATE_LIMIT = 20000;
const SEARCH_WORK_LIMIT = 1_000_000;

/**
 * One representative per class of ref characters that every pattern treats alike (and that ref-name
 * validity treats alike: `/` and `.` are their own): `a`, `/`, "any other" instead of ~90 characters.
 * The representative is the first of its class in `charOrder`, so examples read as before.
 */
function charClasses(autos: readonly PatternAutomaton[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const ch of refChars()) {
    let sig = ch === "/" || ch === "." ? ch : "";
    for (const a of autos) sig += `|${a.signature(ch)}`;
    if (seen.has(sig)) continue;
    seen.add(sig);
    out.push(ch);
  }
  return out;
}

function setKey(s: ReadonlySet<number>): string {
  return [...s].sort((a, b) => a - b).join(",");
}

/** The sub-condition values (`sub` and `job_workflow_ref` too) of the statements that trust GitHub, for messages. */
export function allowedPatterns(
  docs: readonly PolicyDocument[],
  settings: Pick<ResolvedSettings, "issuer">,
  claim = "sub",
): StrValue[] {
  const out: StrValue[] = [];
  for (const doc of docs) {
    for (const stmt of doc.statements) {
      if (!trustsGitHub(stmt, settings)) continue;
      for (const gc of githubConditions(stmt, settings)) {
        if (gc.claim === claim && !gc.operator.negated) out.push(...gc.condition.values.items);
      }
    }
  }
  return out;
}
