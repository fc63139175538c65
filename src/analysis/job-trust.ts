import { DEFAULT_AWS_AUDIENCE } from "../model/well-known.js";
import type { ResolvedSettings } from "../config/settings.js";
import type { JobSituation } from "./predicted-claims.js";
import { trustsGitHub } from "./github-trust.js";
import { findRefusedClaim, holeAdmits, type PredictedValue } from "./iam-evaluation.js";
import type { SourceLocation } from "../model/location.js";
import type { PolicyDocument, RoleInfo } from "../model/policy.js";
import type { Project } from "../model/project.js";
import type { RoleAssumption } from "./role-assumptions.js";
import { displayText, knownText } from "../model/value.js";

/**
 * Job → trigger → claims → the roles that accept or refuse them: the decisions `explain` prints and
 * `map` draws. Claims come from `predicted-claims.ts`, decisions from the shared IAM matcher.
 */

/** A role (or a bare trust policy file) of the project whose trust policy lets GitHub's tokens in. */
export interface RoleEntry {
  label: string;
  docs: PolicyDocument[];
  /** The role resource, when the policy belongs to one (else the document is a policy file of its own). */
  role?: RoleInfo;
  /** The role's definition, else the document's. */
  loc: SourceLocation;
}

/** Every trust policy of the project that trusts GitHub, grouped by role. */
export function projectRoles(project: Project, settings: ResolvedSettings): RoleEntry[] {
  const out = new Map<unknown, RoleEntry>();
  for (const doc of project.policies) {
    if (doc.kind === "permissions" || !doc.statements.some((s) => trustsGitHub(s, settings))) continue;
    const key = doc.role ?? doc;
    const name = doc.role?.name ? knownText(doc.role.name) : undefined;
    const label = doc.role
      ? `${name ?? doc.role.id}${name ? ` (${doc.role.id})` : ""} — ${doc.role.loc.file}:${doc.role.loc.line}`
      : `${doc.loc.file}:${doc.loc.line}`;
    const entry = out.get(key) ?? {
      label,
      docs: [],
      loc: doc.role?.loc ?? doc.loc,
      ...(doc.role ? { role: doc.role } : {}),
    };
    entry.docs.push(doc);
    out.set(key, entry);
  }
  return [...out.values()];
}

/** The audience the assuming step requests: its `audience` input, else the action's default. */
export function audienceOf(use: RoleAssumption | undefined): { text: string; value?: string } {
  if (!use?.audience)
    return { text: `${DEFAULT_AWS_AUDIENCE} (default of configure-aws-credentials)`, value: DEFAULT_AWS_AUDIENCE };
  const t = knownText(use.audience);
  return t === undefined ? { text: `${displayText(use.audience)} (not known statically)` } : { text: t, value: t };
}

/**
 * Whether a role accepts a situation's claims with this audience: accepts, refuses (with an example
 * name and, for an open set of names, the literal names of the filter — and the default branch — that
 * it does accept), or cannot be decided.
 */
export type Verdict = "accepts" | { refused: string; acceptedNames: string[] } | "unknown";

export function verdictText(
  s: JobSituation,
  entry: { docs: readonly PolicyDocument[] },
  aud: string | undefined,
  settings: ResolvedSettings,
): Verdict {
  const claims = new Map<string, PredictedValue>(s.claims);
  claims.set("aud", aud === undefined ? { kind: "unknown" } : { kind: "pieces", pieces: [aud] });
  const v = findRefusedClaim(entry.docs, claims, settings, s.holes);
  if (v.verdict === "accepted") return "accepts";
  if (v.verdict === "undecided") return "unknown";
  const acceptedNames: string[] = [];
  if (s.holes) {
    const literals = (s.holes.include ?? []).filter((p) => !/[*?+[\]\\!]/.test(p));
    if (s.kind === "branch") literals.push(settings.defaultBranch);
    for (const name of new Set(literals)) {
      const one = findRefusedClaim(entry.docs, claims, settings, { ...s.holes, include: [name], samples: [] });
      if (one.verdict === "accepted" && holeAdmits(s.holes, name)) acceptedNames.push(name);
    }
  }
  return { refused: v.example ?? "", acceptedNames };
}

/**
 * One claim judged alone (every other claim taken to pass): which of a role's conditions on that claim
 * let the situation in. `aud` is the requested audience; other claims are the situation's predictions.
 */
export function claimVerdict(
  s: JobSituation,
  docs: readonly PolicyDocument[],
  claim: string,
  aud: string | undefined,
  settings: ResolvedSettings,
): "accepts" | "refuses" | "unknown" {
  const value: PredictedValue | undefined =
    claim === "aud" ? (aud === undefined ? undefined : { kind: "pieces", pieces: [aud] }) : s.claims.get(claim);
  if (!value || value.kind === "unknown") return "unknown";
  const v = findRefusedClaim(docs, new Map([[claim, value]]), settings, s.holes);
  return v.verdict === "accepted" ? "accepts" : v.verdict === "refused" ? "refuses" : "unknown";
}
