import type { ResolvedSettings } from "../src/config/settings.js";
import { defineRule } from "../src/engine/rule.js";
import { isAllow, isDeny, isGitHubIssuer, parseOperator, type OperatorInfo } from "../src/model/github-trust.js";
import type { Statement } from "../src/model/policy.js";
import { knownText } from "../src/model/value.js";

/**
 * The claims AWS STS exposes as condition keys for GitHub's issuer: `aud`, `sub` and `amr` (every OIDC
 * provider), and since February 2026 the GitHub-specific `actor`, `actor_id`, `job_workflow_ref`,
 * `repository`, `repository_id`, `workflow`, `ref`, `environment` and `enterprise_id`.
 */
export const AWS_GITHUB_CLAIM_KEYS = [
  "aud",
  "sub",
  "amr",
  "actor",
  "actor_id",
  "job_workflow_ref",
  "repository",
  "repository_id",
  "workflow",
  "ref",
  "environment",
  "enterprise_id",
] as const;

/** Claims GitHub puts in its tokens that AWS does not turn into condition keys. */
const GITHUB_ONLY_CLAIMS = new Set([
  "repository_owner",
  "repository_owner_id",
  "repository_visibility",
  "enterprise",
  "event_name",
  "ref_type",
  "ref_protected",
  "head_ref",
  "base_ref",
  "workflow_ref",
  "workflow_sha",
  "job_workflow_sha",
  "sha",
  "run_id",
  "run_number",
  "run_attempt",
  "runner_environment",
  "check_run_id",
  "iss",
  "jti",
  "nbf",
  "exp",
  "iat",
]);

/** Names people write for a supported claim. */
const CLAIM_ALIASES: Readonly<Record<string, string>> = {
  subject: "sub",
  subjects: "sub",
  audience: "aud",
  audiences: "aud",
  repo: "repository",
  repository_name: "repository",
  branch: "ref",
  env: "environment",
  workflow_ref: "job_workflow_ref",
};

const GITHUB_HOST = "token.actions.githubusercontent.com";

/** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/**
 * A host that is not GitHub's issuer but was surely meant to be: a few typos away from
 * `token.actions.githubusercontent.com` (`token.action.…`, `tokens.actions.…`), or naming
 * `githubusercontent` in another way. GHE.com and Enterprise Server issuers are real issuers, not typos.
 */
export function isNearGitHubHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === GITHUB_HOST) return false;
  return editDistance(h, GITHUB_HOST) <= 3 || h.includes("githubusercontent");
}

export type KeyProblem =
  | { kind: "whitespace"; suggestion: string }
  | { kind: "scheme"; suggestion: string }
  | { kind: "slash"; suggestion: string }
  | { kind: "issuer"; issuer: string; suggestion: string }
  | { kind: "claim"; claim: string; suggestion: string }
  | { kind: "unsupported"; claim: string }
  | { kind: "unknownClaim"; claim: string };

/** The supported claim a misspelt one most likely meant. */
function closestClaim(claim: string): string | undefined {
  const c = claim.toLowerCase();
  const alias = CLAIM_ALIASES[c];
  if (alias) return alias;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of AWS_GITHUB_CLAIM_KEYS) {
    const d = editDistance(c, known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  const limit = c.length <= 4 ? 1 : c.length <= 8 ? 2 : 3;
  return bestDistance <= limit ? best : undefined;
}

function isSupportedClaim(claim: string): boolean {
  return (AWS_GITHUB_CLAIM_KEYS as readonly string[]).includes(claim.toLowerCase());
}

/**
 * What is wrong with a condition key meant for GitHub's issuer; undefined when the key is fine or is not
 * meant for GitHub (global keys, other providers such as EKS or Cognito).
 */
export function githubKeyProblem(key: string, settings: Pick<ResolvedSettings, "issuer">): KeyProblem | undefined {
  const trimmed = key.trim();
  if (trimmed !== key) {
    const inner = githubKeyProblem(trimmed, settings);
    if (inner === undefined && isGitHubKey(trimmed, settings)) return { kind: "whitespace", suggestion: trimmed };
    return inner;
  }
  const scheme = /^https?:\/\//i.exec(key);
  if (scheme) {
    const rest = key.slice(scheme[0].length);
    if (!isGitHubKey(rest, settings) && githubKeyProblem(rest, settings) === undefined) return undefined;
    return { kind: "scheme", suggestion: correctedKey(rest, settings) };
  }
  const colon = key.lastIndexOf(":");
  if (colon < 0) {
    // `token.actions.githubusercontent.com/sub`: a key without `:` never names a claim.
    const slash = key.lastIndexOf("/");
    if (slash <= 0) return undefined;
    const issuer = key.slice(0, slash);
    const claim = key.slice(slash + 1);
    if (!isGitHubIssuer(issuer, settings) && !isNearGitHubHost(hostOf(issuer))) return undefined;
    if (!isSupportedClaim(claim) && closestClaim(claim) === undefined && !GITHUB_ONLY_CLAIMS.has(claim.toLowerCase())) return undefined;
    return { kind: "slash", suggestion: correctedKey(`${issuer}:${claim}`, settings) };
  }
  const issuer = key.slice(0, colon);
  const claim = key.slice(colon + 1);
  if (!issuer.includes(".") && !issuer.includes("/")) return undefined;
  const github = isGitHubIssuer(issuer, settings) && !issuer.endsWith("/");
  if (!github) {
    if (!isNearGitHubHost(hostOf(issuer)) && !(isGitHubIssuer(issuer, settings) && issuer.endsWith("/"))) return undefined;
    return { kind: "issuer", issuer, suggestion: correctedKey(key, settings) };
  }
  if (isSupportedClaim(claim)) return undefined;
  if (GITHUB_ONLY_CLAIMS.has(claim.toLowerCase())) return { kind: "unsupported", claim };
  const closest = closestClaim(claim);
  if (closest !== undefined) return { kind: "claim", claim, suggestion: `${issuer}:${closest}` };
  return { kind: "unknownClaim", claim };
}

function hostOf(issuer: string): string {
  const slash = issuer.indexOf("/");
  return slash < 0 ? issuer : issuer.slice(0, slash);
}

function isGitHubKey(key: string, settings: Pick<ResolvedSettings, "issuer">): boolean {
  const colon = key.lastIndexOf(":");
  if (colon < 0) return false;
  return isGitHubIssuer(key.slice(0, colon), settings) && isSupportedClaim(key.slice(colon + 1));
}

/** The key as it should read: GitHub's host, no scheme, no trailing slash, `:` before a supported claim. */
function correctedKey(key: string, settings: Pick<ResolvedSettings, "issuer">): string {
  let k = key.trim().replace(/^https?:\/\//i, "");
  const colon = k.lastIndexOf(":");
  if (colon < 0) {
    const slash = k.lastIndexOf("/");
    k = `${k.slice(0, slash)}:${k.slice(slash + 1)}`;
  }
  const c = k.lastIndexOf(":");
  let issuer = k.slice(0, c).replace(/\/+$/, "");
  let claim = k.slice(c + 1);
  const host = hostOf(issuer);
  if (isNearGitHubHost(host)) issuer = GITHUB_HOST + issuer.slice(host.length);
  if (!isGitHubIssuer(issuer, settings)) issuer = GITHUB_HOST;
  if (!isSupportedClaim(claim)) claim = closestClaim(claim) ?? claim;
  return `${issuer}:${claim}`;
}

/** Whether a condition is satisfied when its key is missing from the request context. */
export function passesWhenAbsent(op: OperatorInfo): boolean {
  if (op.ifExists) return true;
  if (op.set === "ForAllValues") return true;
  if (op.set === "ForAnyValue") return false;
  return op.negated;
}

/** What a condition on a key that is never in the request does, in words. */
function consequence(stmt: Statement, op: OperatorInfo): string {
  const passes = passesWhenAbsent(op);
  if (isDeny(stmt)) return passes ? "always holds: it does not narrow this Deny" : "never holds: this Deny never applies and protects nothing";
  if (isAllow(stmt)) {
    return passes
      ? `always holds under \`${op.text}\`: it restricts nothing`
      : "never holds: every AssumeRoleWithWebIdentity through this statement is refused (AccessDenied)";
  }
  return passes ? "always holds" : "never holds";
}

export default defineRule({
  meta: {
    id: "unknown-condition-key",
    severity: "error",
    description: "Condition key meant for GitHub's OIDC issuer that is misspelt or that AWS does not support",
    inputs: ["policy"],
    messages: {
      whitespaceInKey:
        "Condition key `{{key}}` has leading or trailing whitespace. IAM compares key names exactly apart from case, so this key is never in the request and the condition {{consequence}}. Write `{{suggestion}}`.",
      schemeInKey:
        "Condition key `{{key}}` includes the URL scheme. IAM names an OIDC provider's keys by its URL without `https://`, so this key is never in the request and the condition {{consequence}}. Write `{{suggestion}}`.",
      slashInsteadOfColon:
        "Condition key `{{key}}` separates the claim with `/` instead of `:`. IAM reads `{{key}}` as an issuer path with no claim, so it is never in the request and the condition {{consequence}}. Write `{{suggestion}}`.",
      misspeltIssuer:
        "Condition key `{{key}}` names issuer `{{issuer}}`, which is not GitHub's (`token.actions.githubusercontent.com`). The key is never in the request and the condition {{consequence}}. Write `{{suggestion}}`.",
      misspeltClaim:
        "Condition key `{{key}}` names claim `{{claim}}`, which AWS does not expose for GitHub's issuer; the key is never in the request and the condition {{consequence}}. Did you mean `{{suggestion}}`?",
      unsupportedClaim:
        "Condition key `{{key}}`: `{{claim}}` is a claim of GitHub's token, but AWS does not make it a condition key (supported: {{supported}}). The key is never in the request and the condition {{consequence}}. Express it through `sub` (e.g. `repo:OWNER/*`) or a supported key.",
      unknownClaim:
        "Condition key `{{key}}`: `{{claim}}` is not a claim AWS exposes for GitHub's issuer (supported: {{supported}}). The key is never in the request and the condition {{consequence}}.",
    },
  },
  check(ctx) {
    const supported = AWS_GITHUB_CLAIM_KEYS.join(", ");
    for (const doc of ctx.project.policies) {
      if (doc.kind === "permissions") continue;
      for (const stmt of doc.statements) {
        for (const condition of stmt.conditions) {
          const key = knownText(condition.key);
          if (key === undefined) continue;
          const problem = githubKeyProblem(key, ctx.settings);
          if (!problem) continue;
          const data: Record<string, string> = { key, supported, consequence: consequence(stmt, parseOperator(condition.operator.value)) };
          switch (problem.kind) {
            case "whitespace":
              ctx.report({ messageId: "whitespaceInKey", at: condition.key, data: { ...data, suggestion: problem.suggestion } });
              break;
            case "scheme":
              ctx.report({ messageId: "schemeInKey", at: condition.key, data: { ...data, suggestion: problem.suggestion } });
              break;
            case "slash":
              ctx.report({ messageId: "slashInsteadOfColon", at: condition.key, data: { ...data, suggestion: problem.suggestion } });
              break;
            case "issuer":
              ctx.report({ messageId: "misspeltIssuer", at: condition.key, data: { ...data, issuer: problem.issuer, suggestion: problem.suggestion } });
              break;
            case "claim":
              ctx.report({ messageId: "misspeltClaim", at: condition.key, data: { ...data, claim: problem.claim, suggestion: problem.suggestion } });
              break;
            case "unsupported":
              ctx.report({ messageId: "unsupportedClaim", at: condition.key, data: { ...data, claim: problem.claim } });
              break;
            case "unknownClaim":
              ctx.report({ messageId: "unknownClaim", at: condition.key, data: { ...data, claim: problem.claim } });
              break;
          }
        }
      }
    }
  },
});
