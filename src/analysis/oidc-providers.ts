import { CHINA_AWS_AUDIENCE } from "../model/well-known.js";
import type { ResolvedSettings } from "../config/settings.js";
import { githubConditions, githubPrincipals, providerArnIssuer, type GitHubCondition } from "./github-trust.js";
import type { OidcProvider, PolicyDocument, Statement } from "../model/policy.js";
import { normaliseIssuer, providerIssuer, type ProjectIndex } from "./project-index.js";
import { knownText, type StrValue } from "../model/value.js";

/** Which IAM OIDC provider resources of the linted files a trust statement's tokens go through, and what they accept. */

export { normaliseIssuer, providerIssuer };

/**
 * The GitHub issuers a trust statement admits tokens of: those its federated principals name, or, when no
 * principal is known that far, those its condition keys are prefixed with.
 */
export function statementIssuers(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): Set<string> {
  const out = new Set<string>();
  // (Indexed: asked of every statement by several rules, mostly before the loop is optimised.)
  const principals = githubPrincipals(stmt, settings);
  for (let i = 0; i < principals.length; i++) {
    const issuer = providerArnIssuer(principals[i] as StrValue);
    if (issuer !== undefined) out.add(normaliseIssuer(issuer));
  }
  if (out.size > 0) return out;
  const conditions = githubConditions(stmt, settings);
  for (let i = 0; i < conditions.length; i++) out.add(normaliseIssuer((conditions[i] as GitHubCondition).issuer));
  return out;
}

function directoryOf(file: string): string {
  const slash = file.lastIndexOf("/");
  return slash < 0 ? "" : file.slice(0, slash);
}

/** `aws`, `aws-cn`, `aws-us-gov`, … of an ARN whose partition is written out (not `${AWS::Partition}`). */
function arnPartition(arn: string): string | undefined {
  const m = /^arn:([a-z][a-z-]*):/.exec(arn.trim());
  return m?.[1];
}

/**
 * The partition an ARN value writes out, read from its leading literal text (enough when only the account or the
 * provider's host is unknown); undefined when the partition itself is unknown.
 */
export function valuePartition(v: StrValue): string | undefined {
  const first = v.parts[0];
  return typeof first === "string" ? arnPartition(first) : undefined;
}

/** The partitions the GitHub principals of a statement name (`arn:aws-us-gov:iam::…`), where written out. */
function principalPartitions(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): Set<string> {
  const found = new Set<string>();
  for (const p of githubPrincipals(stmt, settings)) {
    const partition = valuePartition(p);
    if (partition !== undefined) found.add(partition);
  }
  return found;
}

/** The partition of a statement: the one its federated principals name, else the one its template names. */
function statementPartition(
  stmt: Statement,
  doc: PolicyDocument,
  settings: Pick<ResolvedSettings, "issuer">,
): string | undefined {
  const found = principalPartitions(stmt, settings);
  if (found.size === 1) return [...found][0];
  return found.size === 0 ? doc.partition : undefined;
}

/** The audience only the China partition's STS uses; a provider that lists nothing else is China's. */

/**
 * The partition of the template or module a provider is defined in, when known: the one its documents
 * agree on (their template's, their principals'), else `aws-cn` for a provider whose client IDs are
 * only the China audience. Computed once per provider and run (the index keeps it).
 */
function providerPartition(provider: OidcProvider, index: ProjectIndex): string | undefined {
  return index.partitionOf(provider, () =>
    computeProviderPartition(provider, index.policiesIn(provider.loc.file), index.settings),
  );
}

function computeProviderPartition(
  provider: OidcProvider,
  docs: readonly PolicyDocument[],
  settings: Pick<ResolvedSettings, "issuer">,
): string | undefined {
  const found = new Set<string>();
  for (const doc of docs) {
    if (doc.partition !== undefined) found.add(doc.partition);
    for (const stmt of doc.statements) for (const p of principalPartitions(stmt, settings)) found.add(p);
  }
  if (found.size === 1) return [...found][0];
  if (found.size > 1) return undefined;
  const ids = providerClientIds(provider);
  return ids !== undefined && ids.length > 0 && ids.every((id) => id === CHINA_AWS_AUDIENCE) ? "aws-cn" : undefined;
}

/**
 * The OIDC providers of the linted files that a trust statement's tokens go through. The model does not
 * link a principal to a provider resource (its ARN is unknown until deployed), and a repository may
 * define providers for several accounts and partitions, so the issuer alone is not enough: a provider
 * for the same issuer in the same file, else in the same directory when both files are Terraform (one
 * module, one deployment; CloudFormation templates and policy files in one folder are separate stacks,
 * possibly of other accounts), else the only provider for that issuer in the project. A provider whose
 * template names another partition than the statement's principal never matches. Anything less
 * certain matches nothing.
 */
export function providersFor(stmt: Statement, doc: PolicyDocument, index: ProjectIndex): OidcProvider[] {
  const { settings } = index;
  const issuers = [...statementIssuers(stmt, settings)];
  const found = issuers.flatMap((issuer) => index.providersFor(issuer));
  // (Most trust policies are linted without their provider: nothing to match, no partition to read.)
  if (found.length === 0) return [];
  const partition = statementPartition(stmt, doc, settings);
  const candidates = (issuers.length > 1 ? index.inProviderOrder(new Set(found)) : found).filter((p) => {
    const other = partition === undefined ? undefined : providerPartition(p, index);
    return other === undefined || other === partition;
  });
  const file = doc.loc.file;
  const sameFile = candidates.filter((p) => p.loc.file === file);
  if (sameFile.length > 0) return sameFile;
  const byDirectory = (f: string): boolean => index.facts(f).deploymentScope === "directory";
  if (byDirectory(file)) {
    const sameModule = candidates.filter(
      (p) => byDirectory(p.loc.file) && directoryOf(p.loc.file) === directoryOf(file),
    );
    if (sameModule.length > 0) return sameModule;
  }
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
