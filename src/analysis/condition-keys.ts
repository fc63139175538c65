import { GITHUB_ISSUER_HOST } from "../model/well-known.js";
import type { ResolvedSettings } from "../config/settings.js";
import { editDistance } from "./edit-distance.js";
import { isGitHubIssuer } from "./github-trust.js";

/**
 * Condition keys for GitHub's issuer: which claims AWS turns into keys, and what is wrong with a key that
 * was meant for GitHub but will never be present in a request (misspelt host or claim, `/` for `:`, …).
 */

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

/**
 * A host that is not GitHub's issuer but was surely meant to be: a few typos away from
 * `token.actions.githubusercontent.com` (`token.action.…`, `tokens.actions.…`), or naming
 * `githubusercontent` in another way. GHE.com and Enterprise Server issuers are real issuers, not typos.
 */
export function isNearGitHubHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === GITHUB_ISSUER_HOST) return false;
  // The distance is at least the difference in length: most hosts (`sts.amazonaws.com`) are decided by that.
  return (
    (Math.abs(h.length - GITHUB_ISSUER_HOST.length) <= 3 && editDistance(h, GITHUB_ISSUER_HOST) <= 3) ||
    h.includes("githubusercontent")
  );
}

export type KeyProblem =
  | { kind: "whitespace"; suggestion: string }
  | { kind: "scheme"; suggestion: string }
  | { kind: "slash"; suggestion: string }
  | { kind: "issuer"; issuer: string; suggestion: string }
  | { kind: "claim"; claim: string; suggestion: string }
  | { kind: "unsupported"; claim: string }
  | { kind: "unknownClaim"; claim: string }
  /** The issuer alone (`token.actions.githubusercontent.com`, `…/`, `…:`): no claim, never in a request. */
  | { kind: "issuerOnly"; issuer: string };

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
 * meant for GitHub (global keys, other providers such as EKS or Cognito). A policy repeats a handful of
 * keys: each is answered once per issuer setting (a bounded cache; the answer is shared, read-only).
 */
export function githubKeyProblem(key: string, settings: Pick<ResolvedSettings, "issuer">): KeyProblem | undefined {
  // Answers under one issuer setting, by key (no key string is built per question: every rule asks of every key).
  if (keyProblems.issuer !== settings.issuer || keyProblems.answers.size >= 1000)
    keyProblems = { issuer: settings.issuer, answers: new Map() };
  const known = keyProblems.answers.get(key);
  if (known !== undefined) return known ?? undefined;
  const problem = keyProblemAnew(key, settings);
  keyProblems.answers.set(key, problem ?? null);
  return problem;
}

/** `githubKeyProblem`'s answers under one issuer setting. */
let keyProblems = { issuer: "", answers: new Map<string, KeyProblem | null>() };

function keyProblemAnew(key: string, settings: Pick<ResolvedSettings, "issuer">): KeyProblem | undefined {
  // Interpolation left in the text (`${data.x.url}:sub`): the key is not known, so it is not misspelt.
  if (key.includes("${")) return undefined;
  const trimmed = key.trim();
  if (trimmed !== key) {
    const inner = githubKeyProblem(trimmed, settings);
    if (inner === undefined && isGitHubKey(trimmed, settings)) return { kind: "whitespace", suggestion: trimmed };
    return inner;
  }
  const scheme = /^https?:\/\//i.exec(key);
  if (scheme) {
    const rest = key.slice(scheme[0].length);
    const inner = isGitHubKey(rest, settings) ? undefined : githubKeyProblem(rest, settings);
    // The issuer alone is the larger mistake; its suggestion has no scheme either.
    if (inner?.kind === "issuerOnly") return inner;
    if (!isGitHubKey(rest, settings) && inner === undefined) return undefined;
    return { kind: "scheme", suggestion: correctedKey(rest, settings) };
  }
  const colon = key.lastIndexOf(":");
  if (colon < 0) {
    // `token.actions.githubusercontent.com/sub`: a key without `:` never names a claim.
    const slash = key.lastIndexOf("/");
    const issuer = slash > 0 ? key.slice(0, slash) : key;
    const claim = slash > 0 ? key.slice(slash + 1) : "";
    if (
      slash > 0 &&
      (isGitHubIssuer(issuer, settings) || isNearGitHubHost(hostOf(issuer))) &&
      (isSupportedClaim(claim) || closestClaim(claim) !== undefined || GITHUB_ONLY_CLAIMS.has(claim.toLowerCase()))
    )
      return { kind: "slash", suggestion: correctedKey(`${issuer}:${claim}`, settings) };
    // The issuer with no claim at all (an enterprise slug `…/acme` included): never in a request.
    return issuerOnly(key.replace(/\/+$/, ""), settings);
  }
  const issuer = key.slice(0, colon);
  const claim = key.slice(colon + 1);
  if (claim === "") return issuerOnly(issuer, settings);
  if (!issuer.includes(".") && !issuer.includes("/")) return undefined;
  const github = isGitHubIssuer(issuer, settings) && !issuer.endsWith("/");
  if (!github) {
    if (!isNearGitHubHost(hostOf(issuer)) && !(isGitHubIssuer(issuer, settings) && issuer.endsWith("/")))
      return undefined;
    return { kind: "issuer", issuer, suggestion: correctedKey(key, settings) };
  }
  if (isSupportedClaim(claim)) return undefined;
  if (GITHUB_ONLY_CLAIMS.has(claim.toLowerCase())) return { kind: "unsupported", claim };
  const closest = closestClaim(claim);
  if (closest !== undefined) return { kind: "claim", claim, suggestion: `${issuer}:${closest}` };
  return { kind: "unknownClaim", claim };
}

/** `issuerOnly` for a GitHub issuer (or a near miss of its host, then corrected); else not GitHub's business. */
function issuerOnly(issuer: string, settings: Pick<ResolvedSettings, "issuer">): KeyProblem | undefined {
  if (isGitHubIssuer(issuer, settings)) return { kind: "issuerOnly", issuer };
  const host = hostOf(issuer);
  if (!host.includes(".") || !isNearGitHubHost(host)) return undefined;
  return { kind: "issuerOnly", issuer: GITHUB_ISSUER_HOST + issuer.slice(host.length) };
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
  if (isNearGitHubHost(host)) issuer = GITHUB_ISSUER_HOST + issuer.slice(host.length);
  if (!isGitHubIssuer(issuer, settings)) issuer = GITHUB_ISSUER_HOST;
  if (!isSupportedClaim(claim)) claim = closestClaim(claim) ?? claim;
  return `${issuer}:${claim}`;
}
