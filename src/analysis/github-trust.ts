import { GITHUB_ISSUER_HOST } from "../model/well-known.js";
import type { ResolvedSettings } from "../config/settings.js";
import { iamGlobMatches } from "./iam-glob.js";
import type { Condition, PolicyDocument, Statement } from "../model/policy.js";
import { displayText, knownText, type StrValue } from "../model/value.js";

/**
 * Facts about IAM trust statements and GitHub's OIDC issuer that several rules share. Everything here
 * reads the model only.
 */

/** A condition operator split into its parts: `ForAnyValue:StringNotLikeIfExists` → set, base, negation, IfExists. */
export interface OperatorInfo {
  text: string;
  set?: "ForAllValues" | "ForAnyValue";
  /** The base operator without prefix and `IfExists`, e.g. `StringNotLike`. */
  base: string;
  ifExists: boolean;
  negated: boolean;
  /** How values compare: literal, with `*`/`?` globs, case-insensitively, or something not string-like. */
  match: "equals" | "like" | "equalsIgnoreCase" | "other";
}

export function parseOperator(text: string): OperatorInfo {
  // A policy repeats a handful of operators: parsed once each (a bounded cache; the answer is shared, read-only).
  let known = operators.get(text);
  if (known === undefined) {
    if (operators.size >= 1000) operators.clear();
    operators.set(text, (known = parseOperatorAnew(text)));
  }
  return known;
}

const operators = new Map<string, OperatorInfo>();

function parseOperatorAnew(text: string): OperatorInfo {
  let rest = text;
  let set: OperatorInfo["set"];
  const prefix = /^(ForAllValues|ForAnyValue):/i.exec(rest);
  if (prefix?.[1]) {
    set = prefix[1].toLowerCase() === "forallvalues" ? "ForAllValues" : "ForAnyValue";
    rest = rest.slice(prefix[0].length);
  }
  const ifExists = /IfExists$/i.test(rest);
  if (ifExists) rest = rest.slice(0, -"IfExists".length);
  const lower = rest.toLowerCase();
  const negated =
    lower.startsWith("stringnot") ||
    lower === "arnnotequals" ||
    lower === "arnnotlike" ||
    lower === "numericnotequals" ||
    lower === "notipaddress";
  const match =
    lower === "stringequals" || lower === "stringnotequals"
      ? "equals"
      : lower === "stringlike" || lower === "stringnotlike"
        ? "like"
        : lower === "stringequalsignorecase" || lower === "stringnotequalsignorecase"
          ? "equalsIgnoreCase"
          : "other";
  const info: OperatorInfo = { text, base: rest, ifExists, negated, match };
  if (set) info.set = set;
  return info;
}

/** IAM's condition operators (lower-cased), without `ForAllValues:`/`ForAnyValue:` and `IfExists`. */
const IAM_OPERATORS = new Set(
  [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
  ].map((o) => o.toLowerCase()),
);

/**
 * Whether IAM knows the operator (`ForAllValuesStringEquals`, `StringEqual` are refused when the role is
 * created: "Invalid Condition type"). Undefined when it is not written out (an interpolation).
 */
export function isIamOperator(op: OperatorInfo): boolean | undefined {
  if (!/^[A-Za-z]+(?::[A-Za-z]+)?$/.test(op.text)) return undefined;
  if (op.text.includes(":") && op.set === undefined) return false;
  return IAM_OPERATORS.has(op.base.toLowerCase()) && !(op.ifExists && op.base.toLowerCase() === "null");
}

/** `token.actions.githubusercontent.com:sub` → issuer and claim. Global keys (`aws:SourceIp`) have no issuer. */
export function parseConditionKey(key: string): Readonly<{ issuer?: string; claim: string }> {
  // Every statement repeats the same few keys: split once per key (a bounded cache; the answer is shared).
  let known = conditionKeys.get(key);
  if (known === undefined) {
    if (conditionKeys.size >= 1000) conditionKeys.clear();
    conditionKeys.set(key, (known = parseConditionKeyAnew(key)));
  }
  return known;
}

const conditionKeys = new Map<string, Readonly<{ issuer?: string; claim: string }>>();

function parseConditionKeyAnew(key: string): { issuer?: string; claim: string } {
  const i = key.lastIndexOf(":");
  if (i <= 0) return { claim: key };
  const issuer = key.slice(0, i);
  const claim = key.slice(i + 1);
  if (!issuer.includes(".") && !issuer.includes("/")) return { claim: key };
  return { issuer, claim };
}

/**
 * Whether an issuer (host and path, no scheme) is GitHub Actions' token issuer: GitHub.com, an
 * enterprise slug on it, GHE.com (`token.actions.SUB.ghe.com`), GitHub Enterprise Server
 * (`HOST/_services/token`), or the configured issuer.
 */
export function isGitHubIssuer(issuer: string, settings: Pick<ResolvedSettings, "issuer">): boolean {
  // Every statement names the same few issuers: answered once per issuer and setting (a bounded cache).
  if (issuerAnswers.setting !== settings.issuer || issuerAnswers.answers.size >= 1000)
    issuerAnswers = { setting: settings.issuer, answers: new Map() };
  let known = issuerAnswers.answers.get(issuer);
  if (known === undefined) issuerAnswers.answers.set(issuer, (known = isGitHubIssuerAnew(issuer, settings)));
  return known;
}

/** `isGitHubIssuer`'s answers under one issuer setting. */
let issuerAnswers = { setting: "", answers: new Map<string, boolean>() };

function isGitHubIssuerAnew(issuer: string, settings: Pick<ResolvedSettings, "issuer">): boolean {
  const i = issuer.toLowerCase().replace(/^https:\/\//, "");
  if (i === settings.issuer.toLowerCase()) return true;
  if (i === GITHUB_ISSUER_HOST || i.startsWith(`${GITHUB_ISSUER_HOST}/`)) return true;
  if (/^token\.actions\.[a-z0-9-]+\.ghe\.com$/.test(i)) return true;
  return /\/_services\/token$/.test(i);
}

/** The issuer an OIDC provider ARN names (`arn:aws:iam::1:oidc-provider/ISSUER`), if the text is known that far. */
export function providerArnIssuer(arn: StrValue): string | undefined {
  const text = displayText(arn);
  // A policy names the same few providers in every statement: read once per text (a bounded cache).
  let known = arnIssuers.get(text);
  if (known === undefined) {
    if (arnIssuers.size >= 1000) arnIssuers.clear();
    const m = /:oidc-provider\/(.+)$/.exec(text);
    arnIssuers.set(text, (known = !m?.[1] || m[1].includes("${") ? null : m[1]));
  }
  return known ?? undefined;
}

const arnIssuers = new Map<string, string | null>();

export function isAllow(stmt: Statement): boolean {
  return stmt.effect !== undefined && knownText(stmt.effect) === "Allow";
}

export function isDeny(stmt: Statement): boolean {
  return stmt.effect !== undefined && knownText(stmt.effect) === "Deny";
}

/**
 * What the functions below conclude about one statement, computed once per statement and issuer setting: every
 * rule asks the same questions about every statement, and a policy may hold thousands of them. Statements are
 * not changed once parsed; the answers are shared: read them, never change them.
 */
interface StatementFacts {
  issuer: string;
  principals?: readonly StrValue[];
  conditions?: readonly GitHubCondition[];
  trusts?: boolean;
}
const facts = new WeakMap<Statement, StatementFacts>();

function factsOf(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): StatementFacts {
  let f = facts.get(stmt);
  if (f?.issuer !== settings.issuer) {
    f = { issuer: settings.issuer };
    facts.set(stmt, f);
  }
  return f;
}

/** Federated principal values that name GitHub's provider. */
export function githubPrincipals(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): readonly StrValue[] {
  const f = factsOf(stmt, settings);
  return (f.principals ??= principalsAnew(stmt, settings));
}

function principalsAnew(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): StrValue[] {
  if (stmt.notPrincipal) return [];
  const out: StrValue[] = [];
  // (Indexed loops here and below: each runs once per statement, mostly before it is optimised.)
  const { principals } = stmt;
  for (let i = 0; i < principals.length; i++) {
    const p = principals[i] as Statement["principals"][number];
    if (p.type.value !== "Federated") continue;
    const { items } = p.values;
    for (let j = 0; j < items.length; j++) {
      const v = items[j] as StrValue;
      const issuer = providerArnIssuer(v);
      if (issuer !== undefined && isGitHubIssuer(issuer, settings)) out.push(v);
    }
  }
  return out;
}

export interface GitHubCondition {
  condition: Condition;
  operator: OperatorInfo;
  issuer: string;
  /** Claim name lower-cased (`sub`, `aud`, `job_workflow_ref`, …). */
  claim: string;
}

/**
 * Whether a condition key is not fully known: it has unknown parts, or interpolation syntax was left in
 * its text (`${data.aws_iam_openid_connect_provider.github.url}:sub`). Such a key may be any GitHub claim
 * (`sub`, `aud`, …), so nothing may be concluded from a claim seeming absent.
 */
export function isUnresolvedKey(key: StrValue): boolean {
  const text = knownText(key);
  return text === undefined || text.includes("${");
}

/** Whether some condition of the statement may be on any claim: an unresolved `Condition` block or key. */
export function hasUnresolvedConditionKeys(stmt: Statement): boolean {
  return stmt.unknownConditions !== undefined || stmt.conditions.some((c) => isUnresolvedKey(c.key));
}

/** Claims whose positive string condition scopes a GitHub trust to repositories (IAM's own check accepts both). */
export const SCOPING_CLAIMS: ReadonlySet<string> = new Set(["sub", "job_workflow_ref"]);

/** A positive string comparison (`StringEquals`, `StringLike`, … in any form): a condition that can name what to allow. */
export function comparesStrings(c: GitHubCondition): boolean {
  return c.operator.match !== "other" && !c.operator.negated;
}

const IAM_CHECKED_OPERATORS = new Set(["stringequals", "stringlike", "stringequalsignorecase"]);

/**
 * IAM's create-time check, predicted: it refuses a role trusting GitHub's provider unless a plain
 * `StringEquals`/`StringLike`/`StringEqualsIgnoreCase` condition on `sub` or `job_workflow_ref` is "not
 * scoped to all" (judged on the first value of the list only). True when the statement certainly fails it:
 * no such condition, or each one's first value is `*`. A first value that is not known passes.
 */
export function failsIamCreateCheck(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): boolean {
  if (hasUnresolvedConditionKeys(stmt)) return false;
  const checked = githubConditions(stmt, settings).filter(
    (c) => SCOPING_CLAIMS.has(c.claim) && IAM_CHECKED_OPERATORS.has(c.operator.text.toLowerCase()),
  );
  return checked.every((c) => {
    const first = c.condition.values.items[0];
    return first !== undefined && knownText(first) === "*";
  });
}

/** The statement's conditions on claims of a GitHub issuer (keys compared case-insensitively). */
export function githubConditions(
  stmt: Statement,
  settings: Pick<ResolvedSettings, "issuer">,
): readonly GitHubCondition[] {
  const f = factsOf(stmt, settings);
  return (f.conditions ??= conditionsAnew(stmt, settings));
}

function conditionsAnew(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): GitHubCondition[] {
  const out: GitHubCondition[] = [];
  const { conditions } = stmt;
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i] as Condition;
    const key = knownText(c.key);
    if (key === undefined) continue;
    const { issuer, claim } = parseConditionKey(key);
    if (issuer === undefined || !isGitHubIssuer(issuer, settings)) continue;
    out.push({ condition: c, operator: parseOperator(c.operator.value), issuer, claim: claim.toLowerCase() });
  }
  return out;
}

/** Whether the statement's actions (or `NotAction`) allow `sts:AssumeRoleWithWebIdentity`; unknown actions may. */
export function actionAllowsWebIdentity(stmt: Statement): boolean {
  const items = stmt.actions.items;
  if (items.length === 0) return true;
  const matches = items.some((a) => {
    const text = knownText(a);
    if (text === undefined) return true;
    // Every statement names the same few actions: matched once per text (a bounded cache).
    let known = webIdentityActions.get(text);
    if (known === undefined) {
      if (webIdentityActions.size >= 1000) webIdentityActions.clear();
      webIdentityActions.set(text, (known = iamGlobMatches(text, "sts:AssumeRoleWithWebIdentity", true)));
    }
    return known;
  });
  return stmt.notAction ? !matches : matches;
}

const webIdentityActions = new Map<string, boolean>();

/**
 * An Allow statement that lets GitHub's OIDC tokens in: its federated principal is a GitHub provider, or
 * (principal unknown or absent) its conditions are keyed by a GitHub issuer; and its actions include
 * `sts:AssumeRoleWithWebIdentity`. Deny statements never are.
 */
export function trustsGitHub(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): boolean {
  const f = factsOf(stmt, settings);
  return (f.trusts ??= trustsAnew(stmt, settings));
}

function trustsAnew(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): boolean {
  if (!isAllow(stmt) || !actionAllowsWebIdentity(stmt)) return false;
  if (githubPrincipals(stmt, settings).length > 0) return true;
  const otherFederated = stmt.principals.some(
    (p) => p.type.value === "Federated" && p.values.items.some((v) => providerArnIssuer(v) !== undefined),
  );
  if (otherFederated) return false;
  return githubConditions(stmt, settings).length > 0;
}

export interface TrustStatement {
  doc: PolicyDocument;
  stmt: Statement;
}

const trustLists = new WeakMap<readonly PolicyDocument[], { issuer: string; count: number; list: TrustStatement[] }>();

/**
 * Every Allow statement of a trust policy that trusts GitHub, with its document. Listed once per policy list
 * and issuer setting (every policy rule walks it): read it, never change it.
 */
export function githubTrustStatements(
  policies: readonly PolicyDocument[],
  settings: Pick<ResolvedSettings, "issuer">,
): readonly TrustStatement[] {
  const known = trustLists.get(policies);
  if (known?.issuer === settings.issuer && known.count === policies.length) return known.list;
  const list: TrustStatement[] = [];
  for (const doc of policies) {
    if (doc.kind === "permissions") continue;
    const { statements } = doc;
    for (let i = 0; i < statements.length; i++) {
      const stmt = statements[i] as Statement;
      if (trustsGitHub(stmt, settings)) list.push({ doc, stmt });
    }
  }
  trustLists.set(policies, { issuer: settings.issuer, count: policies.length, list });
  return list;
}
