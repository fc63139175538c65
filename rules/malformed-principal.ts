import type { ResolvedSettings } from "../src/config/settings.js";
import { defineRule } from "../src/engine/rule.js";
import {
  actionAllowsWebIdentity,
  isGitHubIssuer,
  isUnresolvedKey,
  parseConditionKey,
} from "../src/analysis/github-trust.js";
import type { PolicyDocument, Statement } from "../src/model/policy.js";
import { displayText, isUnknownPart, knownText, type StrValue } from "../src/model/value.js";
import { githubKeyProblem, isNearGitHubHost } from "../src/analysis/condition-keys.js";
import { accountPlaceholder, partitionPlaceholder } from "../src/analysis/placeholder.js";

/** AWS partitions (`arn:PARTITION:…`). */
const PARTITIONS = new Set([
  "aws",
  "aws-cn",
  "aws-us-gov",
  "aws-iso",
  "aws-iso-b",
  "aws-iso-e",
  "aws-iso-f",
  "aws-eusc",
]);

/** Stands for an unknown part while a value is split into ARN fields. */
const UNKNOWN = "\u0000";

/**
 * An ARN split into its fields; a field containing `UNKNOWN` is (partly) unresolved. Undefined when an
 * unknown part hides where the fields start and end.
 */
interface ArnFields {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/**
 * Split once per value, and once per text for a literal value (a policy names the same provider in every
 * statement): the rule asks about each principal value several times. Read the fields, never change them.
 */
const fieldsOf = new WeakMap<StrValue, ArnFields | null>();
const fieldsOfText = new Map<string, ArnFields | null>();

function arnFields(value: StrValue): ArnFields | undefined {
  const only = value.parts.length === 1 ? value.parts[0] : undefined;
  let known = typeof only === "string" ? fieldsOfText.get(only) : fieldsOf.get(value);
  if (known === undefined) {
    known = arnFieldsAnew(value) ?? null;
    if (typeof only !== "string") fieldsOf.set(value, known);
    else {
      if (fieldsOfText.size >= 1000) fieldsOfText.clear();
      fieldsOfText.set(only, known);
    }
  }
  return known ?? undefined;
}

function arnFieldsAnew(value: StrValue): ArnFields | undefined {
  const text = value.parts.map((p) => (isUnknownPart(p) ? UNKNOWN : p)).join("");
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const colon = text.indexOf(":", start);
    if (colon < 0) return undefined;
    fields.push(text.slice(start, colon));
    start = colon + 1;
  }
  fields.push(text.slice(start));
  const [arn, partition = "", service = "", region = "", account = "", resource = ""] = fields;
  if (arn !== "arn") return undefined;
  return { partition, service, region, account, resource };
}

function isKnownField(field: string): boolean {
  return !field.includes(UNKNOWN);
}

/** The known partition an ARN value names. */
function partitionOfValue(value: StrValue): string | undefined {
  const f = arnFields(value);
  return f && isKnownField(f.partition) && PARTITIONS.has(f.partition) ? f.partition : undefined;
}

/** A Federated value that is an issuer written where IAM wants the provider's ARN (`token.actions…`, `https://…`). */
function isBareGitHubIssuer(text: string, settings: Pick<ResolvedSettings, "issuer">): boolean {
  const issuer = text.replace(/^https?:\/\//i, "").replace(/\/+$/, "");
  return isGitHubIssuer(issuer, settings) || isNearGitHubHost(issuer.split("/")[0] ?? "");
}

/** The issuer an OIDC provider ARN names, as written, when known. */
function providerIssuerWritten(value: StrValue): string | undefined {
  const f = arnFields(value);
  if (!f || !isKnownField(f.resource) || !f.resource.startsWith("oidc-provider/")) return undefined;
  return f.resource.slice("oidc-provider/".length);
}

/** The issuer an OIDC provider ARN names, lower-cased for comparison, when known. */
function providerIssuerOf(value: StrValue): string | undefined {
  return providerIssuerWritten(value)?.toLowerCase();
}

function allPrincipalArns(doc: PolicyDocument): StrValue[] {
  return doc.statements.flatMap((s) => s.principals.flatMap((p) => p.values.items));
}

/**
 * The known partitions of a policy's principal values, counted once per document (a policy of thousands of
 * principals stays linear).
 */
class PartitionCounts {
  private readonly counts = new Map<string, number>();
  /** The first known partition, in document order. */
  readonly first: string | undefined;

  constructor(values: readonly StrValue[]) {
    for (const v of values) {
      const p = partitionOfValue(v);
      if (p !== undefined) this.counts.set(p, (this.counts.get(p) ?? 0) + 1);
    }
    this.first = this.counts.keys().next().value;
  }

  private readonly soleOthers = new Map<string, string | undefined>();

  /** The one partition every other principal (all but one value in `own`) names, if they agree. */
  soleOtherThan(own: string): string | undefined {
    if (this.soleOthers.has(own)) return this.soleOthers.get(own);
    const others = [...this.counts.entries()].filter(([p, n]) => n - (p === own ? 1 : 0) > 0).map(([p]) => p);
    const sole = others.length === 1 ? others[0] : undefined;
    this.soleOthers.set(own, sole);
    return sole;
  }
}

/** Whether some condition key of the statement is a GitHub issuer's. */
function hasGitHubKeys(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): boolean {
  return stmt.conditions.some((c) => {
    const key = knownText(c.key);
    if (key === undefined) return false;
    const { issuer } = parseConditionKey(key);
    return issuer !== undefined && isGitHubIssuer(issuer, settings);
  });
}

function statementIsGitHubRelated(stmt: Statement, settings: Pick<ResolvedSettings, "issuer">): boolean {
  for (const p of stmt.principals) {
    if (p.type.value !== "Federated") continue;
    for (const v of p.values.items) {
      const issuer = providerIssuerOf(v);
      if (issuer !== undefined && (isGitHubIssuer(issuer, settings) || isNearGitHubHost(issuer.split("/")[0] ?? "")))
        return true;
    }
  }
  return hasGitHubKeys(stmt, settings);
}

export default defineRule({
  meta: {
    id: "malformed-principal",
    severity: "error",
    description:
      "Federated principal that is not a valid OIDC provider ARN, or that disagrees with the template or the condition keys",
    inputs: ["policy"],
    fixable: false,
    messages: {
      notAnArn: {
        message: '`Federated: "{{value}}"` names the issuer, not the OIDC provider\'s ARN',
        explanation:
          '`Federated: "{{value}}"` names the issuer, but IAM needs the ARN of the account\'s OIDC provider for it; the policy is rejected (MalformedPolicyDocument: invalid principal).',
        fix: "Write `{{suggestion}}`.",
      },
      notProviderArn: {
        message: "`{{value}}` is not an OIDC provider ARN ({{reason}})",
        explanation: "`{{value}}` is not an OIDC provider ARN ({{reason}}), so no GitHub token can use this statement.",
        fix: "A federated principal for GitHub is `arn:PARTITION:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com`.",
      },
      wrongPrincipalType: {
        message: "OIDC provider ARN `{{value}}` under `{{type}}` instead of `Federated`",
        explanation:
          '`{{value}}` is an OIDC provider ARN under `{{type}}`; web identity providers are trusted as `"Federated"` principals, so no GitHub token can use this statement.',
        fix: 'Move it to `"Principal": { "Federated": "{{value}}" }`.',
      },
      schemeInArn: {
        message: "`{{value}}` contains the URL scheme",
        explanation:
          "`{{value}}` contains the URL scheme. OIDC provider ARNs name the provider URL without `https://`, so this names no provider.",
        fix: "Write `{{suggestion}}`.",
      },
      badAccount: {
        message: "`{{value}}` has account id `{{account}}`, not 12 digits",
        explanation:
          "`{{value}}` has account id `{{account}}`, but account ids are exactly 12 digits (leading zeros included), so this names no provider.",
        fix: "Use the id of the account that holds the provider{{origin}}.",
      },
      placeholder: {
        message: "`{{value}}` still holds the placeholder `{{token}}` for the {{field}}",
        explanation:
          "`{{value}}` still holds `{{token}}`, a placeholder for the {{field}} meant to be replaced before the policy is deployed: as written it names no OIDC provider, and IAM rejects the policy (MalformedPolicyDocument: invalid principal).",
        fix: "Replace `{{token}}` with the {{field}} of the account that holds the GitHub OIDC provider; a template your pipeline fills in can be left out of the lint (`ignore`).",
      },
      badPartition: {
        message: "`{{value}}` names partition `{{partition}}`, which does not exist",
        explanation:
          "`{{value}}` names partition `{{partition}}`, which does not exist (aws, aws-cn, aws-us-gov, …), so this names no provider.",
        fix: "Use the role's partition (or `${AWS::Partition}` / `data.aws_partition`).",
      },
      partitionMismatch: {
        message: "`{{value}}` is in partition `{{partition}}` but {{where}} in `{{other}}`",
        explanation:
          "`{{value}}` is in partition `{{partition}}` but {{where}} in `{{other}}`. A role can only trust a provider of its own partition, so no token is accepted.",
        fix: "Use `arn:{{other}}:iam::…` (or `${AWS::Partition}` / `data.aws_partition`).",
      },
      emptyFederated: {
        message: "`Federated` is empty; it names no OIDC provider",
        explanation:
          "The statement's `Federated` principal is the empty string{{origin}}: it names no identity provider, so IAM refuses the trust policy (MalformedPolicyDocument) and no GitHub token can use it.",
        fix: "Use the ARN of the account's GitHub OIDC provider, `arn:aws:iam::ACCOUNT_ID:oidc-provider/token.actions.githubusercontent.com`.",
      },
      issuerMismatch: {
        message: "Principal trusts `{{principalIssuer}}`, but the conditions read `{{keyIssuer}}` keys",
        explanation:
          "The principal trusts the provider for `{{principalIssuer}}`, but the conditions read claims of `{{keyIssuer}}` ({{keys}}). Tokens of that provider never carry those keys, so the conditions never hold (or, with IfExists/negated operators, never restrict).",
        fix: "Prefix the keys with `{{principalIssuer}}:` — or trust the provider the keys name.",
      },
    },
  },
  check(ctx) {
    for (const doc of ctx.project.policies) {
      if (doc.kind === "permissions") continue;
      const partitions = new PartitionCounts(allPrincipalArns(doc));
      for (const stmt of doc.statements) {
        if (stmt.notPrincipal) continue;
        const githubRelated = statementIsGitHubRelated(stmt, ctx.settings);
        for (const principal of stmt.principals) {
          for (const value of principal.values.items) {
            const text = knownText(value);
            const origin = value.origin === undefined ? "" : ` (value from ${value.origin})`;
            if (principal.type.value !== "Federated") {
              if (text !== undefined && /^arn:[^:]*:iam::[^:]*:oidc-provider\//.test(text)) {
                ctx.report({
                  messageId: "wrongPrincipalType",
                  at: value,
                  data: { value: text, type: principal.type.value },
                });
              }
              continue;
            }
            if (text === "") {
              if (githubRelated) ctx.report({ messageId: "emptyFederated", at: value, data: { origin } });
              continue;
            }
            if (text !== undefined && !text.startsWith("arn:")) {
              if (isBareGitHubIssuer(text, ctx.settings)) {
                const partition = doc.partition ?? partitions.first ?? "aws";
                const issuer = text.replace(/^https?:\/\//i, "").replace(/\/+$/, "");
                ctx.report({
                  messageId: "notAnArn",
                  at: value,
                  data: { value: text, suggestion: `arn:${partition}:iam::ACCOUNT_ID:oidc-provider/${issuer}` },
                });
              }
              continue;
            }
            const f = arnFields(value);
            if (!f) continue;
            const display = text ?? displayText(value);
            if (isKnownField(f.resource) && f.resource.startsWith("saml-provider/")) {
              // A SAML provider is right for AssumeRoleWithSAML; with web identity and GitHub's keys, the
              // statement was meant for GitHub's OIDC provider and no GitHub token can use it.
              if (githubRelated && actionAllowsWebIdentity(stmt) && hasGitHubKeys(stmt, ctx.settings)) {
                ctx.report({
                  messageId: "notProviderArn",
                  at: value,
                  data: {
                    value: display,
                    reason:
                      "it names a SAML provider, but `sts:AssumeRoleWithWebIdentity` and the GitHub condition keys need the OIDC provider: `oidc-provider/ISSUER`, not `saml-provider/…`",
                  },
                });
              }
              continue;
            }
            if (isKnownField(f.service) && f.service !== "iam") {
              ctx.report({
                messageId: "notProviderArn",
                at: value,
                data: { value: display, reason: `service \`${f.service}\` instead of \`iam\`` },
              });
              continue;
            }
            if (isKnownField(f.region) && f.region !== "") {
              ctx.report({
                messageId: "notProviderArn",
                at: value,
                data: { value: display, reason: `IAM ARNs have no region, this one has \`${f.region}\`` },
              });
              continue;
            }
            if (isKnownField(f.resource) && !f.resource.startsWith("oidc-provider/")) {
              ctx.report({
                messageId: "notProviderArn",
                at: value,
                data: { value: display, reason: `resource \`${f.resource}\` instead of \`oidc-provider/ISSUER\`` },
              });
              continue;
            }
            const resourceIssuer = f.resource.slice("oidc-provider/".length);
            if (/^https?:\/\//i.test(resourceIssuer)) {
              ctx.report({
                messageId: "schemeInArn",
                at: value,
                data: { value: display, suggestion: display.replace(/oidc-provider\/https?:\/\//i, "oidc-provider/") },
              });
              continue;
            }
            // A placeholder left in (`$AWS_ACCOUNT_ID`, `<ACCOUNT_ID>`, `arn:PARTITION:…`) is said as such, and only
            // for GitHub: another provider's template is filled in by its own pipeline.
            const account = isKnownField(f.account) && !/^\d{12}$/.test(f.account) ? f.account : undefined;
            const badPartition = isKnownField(f.partition) && !PARTITIONS.has(f.partition) ? f.partition : undefined;
            const placeholder =
              (account === undefined ? undefined : accountPlaceholder(account)) ??
              (badPartition === undefined ? undefined : partitionPlaceholder(badPartition, PARTITIONS));
            if (placeholder !== undefined) {
              if (githubRelated) {
                const field = placeholder === account ? "account id" : "partition";
                ctx.report({
                  messageId: "placeholder",
                  at: value,
                  data: { value: display, token: placeholder, field },
                });
              }
              continue;
            }
            if (account !== undefined) {
              ctx.report({ messageId: "badAccount", at: value, data: { value: display, account, origin } });
              continue;
            }
            if (badPartition !== undefined) {
              ctx.report({ messageId: "badPartition", at: value, data: { value: display, partition: badPartition } });
              continue;
            }
            if (!githubRelated) continue;
            const partition = partitionOfValue(value);
            if (partition !== undefined) {
              const other = doc.partition ?? partitions.soleOtherThan(partition);
              if (other !== undefined && other !== partition) {
                const where =
                  doc.partition !== undefined ? "the template around it is" : "the other principals of this policy are";
                ctx.report({
                  messageId: "partitionMismatch",
                  at: value,
                  data: { value: display, partition, other, where },
                });
                continue;
              }
            }
          }
        }
        if (githubRelated)
          checkIssuerMismatch(stmt, ctx.settings, (keyIssuer, principalIssuer, keys, at) => {
            ctx.report({ messageId: "issuerMismatch", at, data: { keyIssuer, principalIssuer, keys } });
          });
      }
    }
  },
});

/** An issuer as written without scheme and trailing slashes, and lower-cased: once per text (a bounded cache). */
function cleanIssuer(text: string): { written: string; lower: string } {
  let known = cleanIssuers.get(text);
  if (known === undefined) {
    if (cleanIssuers.size >= 1000) cleanIssuers.clear();
    const written = text.replace(/^https?:\/\//i, "").replace(/\/+$/, "");
    cleanIssuers.set(text, (known = { written, lower: written.toLowerCase() }));
  }
  return known;
}

const cleanIssuers = new Map<string, { written: string; lower: string }>();

/**
 * Condition keys prefixed with an issuer that none of the statement's federated principals is for. Needs
 * every federated principal known; keys that are GitHub typos are `unknown-condition-key`'s.
 */
function checkIssuerMismatch(
  stmt: Statement,
  settings: Pick<ResolvedSettings, "issuer">,
  report: (keyIssuer: string, principalIssuer: string, keys: string, at: StrValue) => void,
): void {
  const principalIssuers: { issuer: string; written: string; value: StrValue }[] = [];
  for (const p of stmt.principals) {
    if (p.type.value !== "Federated") continue;
    if (p.values.unknown) return;
    for (const v of p.values.items) {
      const text = knownText(v);
      const written = text === undefined || text.startsWith("arn:") ? providerIssuerWritten(v) : text;
      // SAML, malformed, empty (`emptyFederated`) or unknown: nothing to compare.
      if (written === undefined || written === "") return;
      const clean = cleanIssuer(written);
      principalIssuers.push({ issuer: clean.lower, written: clean.written, value: v });
    }
  }
  const first = principalIssuers[0];
  if (!first) return;
  let foreign: Map<string, { written: string; keys: string[] }> | undefined;
  for (const c of stmt.conditions) {
    // A key that is not fully known (`${data.x.url}:sub`) may well be the principal's issuer.
    if (isUnresolvedKey(c.key)) continue;
    const key = knownText(c.key);
    if (key === undefined) continue;
    if (githubKeyProblem(key, settings) !== undefined) continue;
    const { issuer } = parseConditionKey(key);
    if (issuer === undefined) continue;
    const normal = issuer.toLowerCase();
    if (principalIssuers.some((p) => p.issuer === normal)) continue;
    foreign ??= new Map();
    const entry = foreign.get(normal) ?? { written: issuer, keys: [] };
    entry.keys.push(`\`${key}\``);
    foreign.set(normal, entry);
  }
  if (foreign)
    for (const { written, keys } of foreign.values()) report(written, first.written, keys.join(", "), first.value);
}
