import type { ResolvedSettings } from "../src/config/settings.js";
import { CHINA_AWS_AUDIENCE, DEFAULT_AWS_AUDIENCE } from "../src/model/well-known.js";
import { iamGlobMatches } from "../src/analysis/iam-glob.js";
import { defineRule, type RuleContext } from "../src/engine/rule.js";
import {
  githubConditions,
  githubPrincipals,
  githubTrustStatements,
  hasUnresolvedConditionKeys,
  type GitHubCondition,
} from "../src/analysis/github-trust.js";
import type { OidcProvider, PolicyDocument, Statement } from "../src/model/policy.js";
import { knownText, type StrValue } from "../src/model/value.js";
import { githubKeyProblem } from "../src/analysis/condition-keys.js";
import {
  jobRoleAssumptions,
  refusedWorkflowAudiences,
  type RefusedAudience,
} from "../src/analysis/role-assumptions.js";
import { addAudience, type Change } from "../src/fix/policy-fixes.js";
import {
  positiveAudConditions,
  providerClientIds,
  providerIssuer,
  providersFor,
  statementIssuers,
  valuePartition,
} from "../src/analysis/oidc-providers.js";

/**
 * Audiences: the `aud` claim GitHub puts in the token (what `configure-aws-credentials` asks for, by
 * default `sts.amazonaws.com`), the audiences a trust policy accepts (`…:aud` conditions), and the client
 * ID list of the IAM OIDC provider (STS refuses a token whose `aud` is not in it) must agree.
 *
 * `check` runs one function per side: the policy side (aud conditions), the provider side (client IDs
 * against what the policies require), and the workflow side (a step's `audience` the assumed role refuses).
 */

type Messages =
  | "missingAud"
  | "extraAud"
  | "wrongAud"
  | "githubDefaultAud"
  | "chinaAudOutsideChina"
  | "wildcardAud"
  | "providerLacksAudience"
  | "workflowAudience";
type Ctx = RuleContext<Messages, Record<string, never>>;

/**
 * The partition the role lives in: the template's (its other ARNs), else that of the statement's GitHub
 * provider ARN. A principal hard-coded to another partition than the template's is `malformed-principal`'s
 * finding; the audience is then judged by the template, so the right audience is not reported too.
 */
function partitionOf(
  stmt: Statement,
  doc: PolicyDocument,
  settings: Pick<ResolvedSettings, "issuer">,
): string | undefined {
  if (doc.partition !== undefined) return doc.partition;
  const principals = githubPrincipals(stmt, settings);
  for (let i = 0; i < principals.length; i++) {
    const partition = valuePartition(principals[i] as StrValue);
    if (partition !== undefined) return partition;
  }
  return undefined;
}

/** The audiences a token may carry and be right for this statement: the configured one, and the China one in `aws-cn`. */
function expectedAudiences(settings: ResolvedSettings, partition: string | undefined): string[] {
  const out = [settings.audience];
  if (settings.audience === DEFAULT_AWS_AUDIENCE && (partition === "aws-cn" || partition === undefined))
    out.push(CHINA_AWS_AUDIENCE);
  return out;
}

/** Whether a condition value admits `aud` under the condition's operator. */
function valueAdmits(c: GitHubCondition, value: string, aud: string): boolean {
  switch (c.operator.match) {
    case "like":
      return iamGlobMatches(value, aud);
    case "equalsIgnoreCase":
      return value.toLowerCase() === aud.toLowerCase();
    default:
      return value === aud;
  }
}

/** Whether every value of the condition is known (so "none admits X" is certain). */
function fullyKnown(c: GitHubCondition): string[] | undefined {
  if (c.condition.values.unknown) return undefined;
  const out: string[] = [];
  for (const v of c.condition.values.items) {
    const t = knownText(v);
    if (t === undefined) return undefined;
    out.push(t);
  }
  return out;
}

function hasWildcard(c: GitHubCondition, value: string): boolean {
  return c.operator.match === "like" && /[*?]/.test(value);
}

function originNote(v: StrValue): string {
  return v.origin === undefined ? "" : ` (value from ${v.origin})`;
}

/** Policy side: every Allow statement trusting GitHub should pin `aud` to the audience the workflows send. */
function checkPolicyAudiences(ctx: Ctx): void {
  const memo = ctx.memo as AudienceMemo;
  for (const { doc, stmt } of githubTrustStatements(ctx.project.policies, ctx.settings)) {
    const all = githubConditions(stmt, ctx.settings).filter(
      (c) => c.claim === "aud" && !hasKeyProblem(c, ctx.settings),
    );
    if (all.length === 0 && audIsSurelyMissing(stmt, ctx.settings)) {
      memo.agreementWanted = true;
      ctx.report({
        messageId: "missingAud",
        at: stmt.conditionLoc ?? stmt.loc,
        severity: "warn",
        data: { audience: ctx.settings.audience, key: audKeyFor(stmt, ctx.settings) },
        fixes: () => audienceFix(ctx, doc, stmt, () => memo.workflowsAgree !== false),
      });
    }
    if (all.length === 0) continue;
    const expected = expectedAudiences(ctx.settings, partitionOf(stmt, doc, ctx.settings));
    for (const c of all) {
      if (c.operator.negated) continue;
      for (const v of c.condition.values.items) {
        const text = knownText(v);
        if (text !== undefined && hasWildcard(c, text)) {
          ctx.report({
            messageId: "wildcardAud",
            at: v,
            data: { value: text, operator: c.operator.text, audience: ctx.settings.audience, origin: originNote(v) },
          });
        }
      }
      const values = fullyKnown(c);
      if (values === undefined || values.length === 0) continue;
      if (values.some((value) => hasWildcard(c, value))) continue;
      if (values.some((value) => expected.some((aud) => valueAdmits(c, value, aud)))) {
        reportExtraAudiences(ctx, c, expected);
        continue;
      }
      const first = c.condition.values.items[0];
      if (!first) continue;
      reportWrongAudience(ctx, c, values, first, expected, partitionOf(stmt, doc, ctx.settings));
    }
  }
}

/**
 * A list that holds the expected audience and others: each other value lets in tokens minted for another
 * service (a signing service, GitHub's default audience), wherever the provider's client IDs list it too.
 */
function reportExtraAudiences(ctx: Ctx, c: GitHubCondition, expected: string[]): void {
  for (const v of c.condition.values.items) {
    const text = knownText(v);
    if (text === undefined || expected.some((aud) => valueAdmits(c, text, aud))) continue;
    ctx.report({
      messageId: "extraAud",
      at: v,
      severity: "warn",
      data: { value: text, origin: originNote(v), audience: expected[0] ?? ctx.settings.audience },
    });
  }
}

function reportWrongAudience(
  ctx: Ctx,
  c: GitHubCondition,
  values: string[],
  at: StrValue,
  expected: string[],
  partition: string | undefined,
): void {
  const value = values.join("`, `");
  const data = {
    value,
    audience: expected[0] ?? ctx.settings.audience,
    key: knownText(c.condition.key) ?? "",
    origin: originNote(at),
  };
  if (values.every((v) => /^https:\/\/github\.com\/[^/]+$/i.test(v))) {
    ctx.report({ messageId: "githubDefaultAud", at, data });
  } else if (values.every((v) => v === CHINA_AWS_AUDIENCE)) {
    ctx.report({ messageId: "chinaAudOutsideChina", at, data: { ...data, partition: partition ?? "aws" } });
  } else {
    const literal =
      c.operator.match !== "like" && values.some((v) => /[*?]/.test(v))
        ? ` Under \`${c.operator.text}\`, \`*\` and \`?\` are literal characters, not wildcards.`
        : "";
    ctx.report({ messageId: "wrongAud", at, data: { ...data, literal } });
  }
}

/**
 * Whether the statement certainly has no `aud` condition: it has conditions (a statement without any is
 * `missing-sub-condition`'s, and an unresolved `Condition` block reads as none) and every key is known.
 */
function audIsSurelyMissing(stmt: Statement, settings: ResolvedSettings): boolean {
  if (stmt.conditions.length === 0 || hasUnresolvedConditionKeys(stmt)) return false;
  return stmt.conditions.every((c) => {
    const key = knownText(c.key);
    if (key === undefined) return false;
    // A misspelt aud key (`…:audience`, `token.action.…:aud`) is `unknown-condition-key`'s finding.
    const problem = githubKeyProblem(key, settings);
    return !(problem && "suggestion" in problem && problem.suggestion.toLowerCase().endsWith(":aud"));
  });
}

/**
 * The edit adding the missing `aud` condition (`--fix`), beside the statement's `sub` condition. Certain
 * only when nothing can make the configured audience wrong for this statement: the statement pins `sub`,
 * it is not one branch of a CloudFormation `Fn::If`, its partition is not `aws-cn` (whose audience differs),
 * every OIDC provider it goes through lists the audience, and every workflow step of the project that
 * assumes a role requests that audience. Otherwise the same edit is a suggestion.
 */
function audienceFix(ctx: Ctx, doc: PolicyDocument, stmt: Statement, workflowsAgree: () => boolean): Change {
  const positive = githubConditions(stmt, ctx.settings).filter(
    (c) => !c.operator.negated && c.operator.match !== "other",
  );
  const sub = positive.find((c) => c.claim === "sub");
  const template = sub ?? positive[0];
  if (!template) return {};
  const audience = ctx.settings.audience;
  const certain =
    sub !== undefined &&
    doc.branch === undefined &&
    partitionOf(stmt, doc, ctx.settings) !== "aws-cn" &&
    providersFor(stmt, doc, ctx.index).every((p) => providerClientIds(p)?.includes(audience) ?? true) &&
    workflowsAgree();
  return addAudience(ctx.fixer, stmt, template.condition, audience, certain);
}

/**
 * What `check` (the policy side) learns of the workflows, one workflow file at a time: whether every step
 * assuming a role through OIDC requests the configured audience, asked only when a statement lacks `aud`
 * (whose fix is then certain only if they all do).
 */
interface AudienceMemo {
  agreementWanted?: true;
  workflowsAgree?: boolean;
}

/** Whether every step of these workflows assuming a role through OIDC requests the configured audience (unset: the action's default). */
function workflowsRequestAudience(ctx: Ctx): boolean {
  return ctx.project.workflows.every((wf) =>
    wf.jobs.every((job) =>
      jobRoleAssumptions(ctx.index, ctx.settings, wf, job).every(
        (use) => (use.audience ? knownText(use.audience)?.trim() : DEFAULT_AWS_AUDIENCE) === ctx.settings.audience,
      ),
    ),
  );
}

/** A key `unknown-condition-key` reports (e.g. with `https://`): its condition never applies, so its values are not judged here. */
function hasKeyProblem(c: GitHubCondition, settings: ResolvedSettings): boolean {
  const key = knownText(c.condition.key);
  return key !== undefined && githubKeyProblem(key, settings) !== undefined;
}

function audKeyFor(stmt: Statement, settings: ResolvedSettings): string {
  const issuer = [...statementIssuers(stmt, settings)][0] ?? settings.issuer;
  return `${issuer}:aud`;
}

/**
 * Provider side: a provider of the linted files whose client ID list (the audiences STS accepts) admits
 * none of the audiences a trust policy for the same issuer requires. A policy audience that is itself wrong
 * is reported on the policy; the provider is then held to the audience the policy should require.
 */
function checkProviderAudiences(ctx: Ctx): void {
  const reported = new Set<OidcProvider>();
  for (const { doc, stmt } of githubTrustStatements(ctx.project.policies, ctx.settings)) {
    const conditions = positiveAudConditions(stmt, ctx.settings);
    if (conditions.length === 0) continue;
    const known = conditions.map((c) => ({ c, values: fullyKnown(c) }));
    if (known.some((k) => k.values === undefined)) continue;
    const expected = expectedAudiences(ctx.settings, partitionOf(stmt, doc, ctx.settings));
    const admits = (aud: string): boolean =>
      known.every(({ c, values }) => (values ?? []).some((v) => valueAdmits(c, v, aud)));
    const policyIsRight = expected.some(admits);
    for (const provider of providersFor(stmt, doc, ctx.index)) {
      if (reported.has(provider)) continue;
      const issuer = providerIssuer(provider) ?? "";
      const clientIds = providerClientIds(provider);
      if (clientIds === undefined) continue;
      const satisfied = policyIsRight
        ? clientIds.some((id) => admits(id))
        : clientIds.some((id) => expected.includes(id));
      if (satisfied) continue;
      reported.add(provider);
      const condition = conditions[0]?.condition;
      const required = policyIsRight ? (known[0]?.values ?? []).join("`, `") : (expected[0] ?? ctx.settings.audience);
      ctx.report({
        messageId: "providerLacksAudience",
        at: provider.clientIds ?? provider,
        data: { issuer, clientIds: clientIds.length === 0 ? "(none)" : `\`${clientIds.join("`, `")}\``, required },
        ...(condition
          ? { related: [{ message: "the audience the trust policy requires", loc: condition.values.loc }] }
          : {}),
      });
    }
  }
}

export default defineRule({
  meta: {
    id: "audience-drift",
    severity: "error",
    description: "Audience (aud) condition, provider client IDs and workflow audience disagree",
    inputs: ["policy", "provider", "workflow"],
    messages: {
      missingAud: {
        message: "No `aud` condition: any audience the provider lists is accepted",
        explanation:
          "This statement trusts GitHub's OIDC provider without a condition on `{{key}}`. STS only checks that the token's audience is in the provider's client ID list, so any audience registered there — today or later — is accepted for this role.",
        fix: 'Add `"StringEquals": { "{{key}}": "{{audience}}" }`.',
      },
      wrongAud: {
        message: "Audience `{{value}}` is not `{{audience}}`, which workflows send: AccessDenied",
        explanation:
          "The trust policy accepts audience `{{value}}`{{origin}}, but workflows send `{{audience}}` (configure-aws-credentials' default, or the configured `audience`), so AssumeRoleWithWebIdentity is refused.{{literal}}",
        fix: 'Use `"{{key}}": "{{audience}}"`, or set `audience` in .oidclintrc.json if your workflows request another audience.',
      },
      extraAud: {
        message: "Audience `{{value}}` is accepted besides `{{audience}}`",
        explanation:
          "Besides `{{audience}}`, the trust policy also accepts audience `{{value}}`{{origin}}: the role also accepts tokens minted for `{{value}}` (for another service, or by any step that requests that audience), wherever the provider's client IDs list it too.",
        fix: "Remove it unless a workflow assuming this role requests it.",
      },
      githubDefaultAud: {
        message: "Audience `{{value}}` is GitHub's default; configure-aws-credentials sends `{{audience}}`",
        explanation:
          "The trust policy accepts audience `{{value}}`{{origin}}: GitHub's own default (`https://github.com/OWNER`), which tokens carry only when no audience is requested. Old setups registered it; `configure-aws-credentials` always requests `{{audience}}`, so its tokens are refused.",
        fix: 'Use `"{{key}}": "{{audience}}"` (and add it to the provider\'s client IDs).',
      },
      chinaAudOutsideChina: {
        message: "China audience `{{value}}` in partition `{{partition}}`, where workflows send `{{audience}}`",
        explanation:
          "The trust policy accepts audience `{{value}}`{{origin}}, the audience of the China partition, but this role is in partition `{{partition}}` where workflows send `{{audience}}`; AssumeRoleWithWebIdentity is refused.",
        fix: 'Use `"{{key}}": "{{audience}}"`.',
      },
      wildcardAud: {
        message: "Audience pattern `{{value}}` under `{{operator}}` accepts other services' tokens",
        explanation:
          "Audience pattern `{{value}}`{{origin}} under `{{operator}}` accepts any matching audience, including tokens minted for other services. The audience is a fixed string.",
        fix: "Use `StringEquals` with `{{audience}}`.",
      },
      providerLacksAudience: {
        message: "OIDC provider's client IDs lack `{{required}}`, the audience its trust policy requires",
        explanation:
          "The OIDC provider for `{{issuer}}` lists client IDs {{clientIds}}, which do not include `{{required}}`, the audience its trust policy requires. STS rejects such tokens before reading the trust policy (`Incorrect token audience`).",
        fix: "Add `{{required}}` to the provider's client ID list.",
      },
      workflowAudience: {
        message: "Job `{{job}}` requests audience `{{audience}}`, which the role does not accept",
        explanation:
          "Job `{{job}}` requests audience `{{audience}}`{{how}}, but {{role}} {{accepts}} only {{accepted}} for `aud`, so AssumeRoleWithWebIdentity is refused.",
        fix: "Request what the role accepts (`audience: {{suggest}}`{{removeHint}}), or add `{{audience}}` to the role's `…:aud` condition and to the OIDC provider's client IDs.",
      },
    },
  },
  check(ctx) {
    checkPolicyAudiences(ctx);
    checkProviderAudiences(ctx);
  },
  checkWorkflowFile(ctx) {
    checkWorkflowAudiences(ctx);
    const memo = ctx.memo as AudienceMemo;
    if (memo.agreementWanted && memo.workflowsAgree !== false) memo.workflowsAgree = workflowsRequestAudience(ctx);
  },
});

/**
 * Workflow side: a step's `audience` (default `sts.amazonaws.com`) that the role it assumes refuses. One
 * finding per step, naming every role of the linted files the ARN matches (the same role defined once per
 * environment, say) that refuses it.
 */
function checkWorkflowAudiences(ctx: Ctx): void {
  const bySteps = new Map<RefusedAudience["use"], RefusedAudience[]>();
  for (const r of refusedWorkflowAudiences(ctx.index, ctx.settings, ctx.project.workflows)) {
    const list = bySteps.get(r.use);
    if (list) list.push(r);
    else bySteps.set(r.use, [r]);
  }
  for (const [use, refusals] of bySteps) {
    const first = refusals[0];
    if (!first) continue;
    const accepted = [...new Set(refusals.flatMap((r) => r.accepted))];
    const suggest = accepted.find((a) => !/[*?]/.test(a)) ?? ctx.settings.audience;
    const labels = refusals.map((r) => r.role.label);
    const role =
      labels.length === 1
        ? `the trust policy of ${labels[0] ?? ""}`
        : `the trust policies of ${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1] ?? ""}`;
    ctx.report({
      messageId: "workflowAudience",
      at: use.audience ?? use.loc,
      data: {
        job: use.job.id.value,
        audience: first.audience,
        how: first.explicit ? "" : " (configure-aws-credentials' default: the step sets no `audience`)",
        role,
        accepts: labels.length === 1 ? "accepts" : "accept",
        accepted: accepted.length > 0 ? accepted.map((a) => `\`${a}\``).join(", ") : "other audiences",
        suggest,
        removeHint:
          first.explicit && suggest === DEFAULT_AWS_AUDIENCE ? ", or remove `audience` to use the default" : "",
      },
      related: refusals.map((r) => ({
        message: `the trust policy of ${r.role.label}`,
        loc: r.role.docs[0]?.loc ?? r.role.loc,
      })),
    });
  }
}
