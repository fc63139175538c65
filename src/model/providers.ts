import type { ResolvedSettings } from "../config/settings.js";
import { githubConditions, githubPrincipals, providerArnIssuer, type GitHubCondition } from "./github-trust.js";
import type { OidcProvider, PolicyDocument, Statement } from "./policy.js";
import { knownText } from "./value.js";

/** Which IAM OIDC provider resources of the linted files a trust statement's tokens go through, and what they accept. */

/** An issuer as IAM writes it in keys and provider ARNs: no scheme, no trailing slash, lower case. */
export function normaliseIssuer(text: string): string {
  return text
    .trim()
    .replace(/^https?:\/\//i, "")
    .replace(/\/+$/, "")
    .toLowerCase();
}

/** The issuer an OIDC provider resource is for, when its URL is known. */
export function providerIssuer(provider: OidcProvider): string | undefined {
  if (!provider.url) return undefined;
  const text = knownText(provider.url);
  return text === undefined ? undefined : normaliseIssuer(text);
}

/**
 * The GitHub issuers a trust statement admits tokens of: those its federated principals name, or, when no
 * principal is known that far, those its condition keys are prefixed with.
 */
export function statementIssuers(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): Set<string> {
  const out = new Set<string>();
  for (const p of githubPrincipals(stmt, settings)) {
    const issuer = providerArnIssuer(p);
    if (issuer !== undefined) out.add(normaliseIssuer(issuer));
  }
  if (out.size > 0) return out;
  for (const c of githubConditions(stmt, settings)) out.add(normaliseIssuer(c.issuer));
  return out;
}

function directoryOf(file: string): string {
  const slash = file.lastIndexOf("/");
  return slash < 0 ? "" : file.slice(0, slash);
}

/**
 * The OIDC providers of the linted files that a trust statement's tokens go through. The model does not
 * link a principal to a provider resource (its ARN is unknown until deployed), and a repository may
 * define providers for several accounts and partitions, so the issuer alone is not enough: a provider
 * for the same issuer in the same file, else in the same directory (the Terraform module, the template
 * folder), else the only provider for that issuer in the project. Anything less certain matches nothing.
 */
export function providersFor(stmt: Statement, doc: PolicyDocument, providers: readonly OidcProvider[], settings: Pick<ResolvedSettings, "issuer">): OidcProvider[] {
  const issuers = statementIssuers(stmt, settings);
  const candidates = providers.filter((p) => {
    const issuer = providerIssuer(p);
    return issuer !== undefined && issuers.has(issuer);
  });
  const file = doc.loc.file;
  const sameFile = candidates.filter((p) => p.loc.file === file);
  if (sameFile.length > 0) return sameFile;
  const sameDir = candidates.filter((p) => directoryOf(p.loc.file) === directoryOf(file));
  if (sameDir.length > 0) return sameDir;
  return candidates.length === 1 ? candidates : [];
}

/** The statement's positive conditions on `aud` (negated ones are `unsafe-condition-operator`'s). */
export function positiveAudConditions(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): GitHubCondition[] {
  return githubConditions(stmt, settings).filter((c) => c.claim === "aud" && !c.operator.negated);
}

/** A provider's client IDs when the list is present and fully known. */
export function providerClientIds(provider: OidcProvider): string[] | undefined {
  const list = provider.clientIds;
  if (!list || list.unknown) return undefined;
  const out: string[] = [];
  for (const v of list.items) {
    const t = knownText(v);
    if (t === undefined) return undefined;
    out.push(t);
  }
  return out;
}
