import { defineRule } from "../src/engine/rule.js";
import { jobSituations, renderSub, type JobSituation } from "../src/analysis/predicted-claims.js";
import { allowedPatterns, filterListAdmits, findRefusedClaim } from "../src/analysis/iam-evaluation.js";
import { definesRoles, jobRoleAssumptions, resolveRole, type ResolvedRole } from "../src/analysis/role-assumptions.js";
import { displayText, knownText } from "../src/model/value.js";

/**
 * Cross-file: a workflow job assumes a role that the linted files define, and a sub claim the job can
 * receive is accepted by none of the role's Allow statements. Claims come from `src/model/claims.ts`,
 * decisions from the shared IAM matcher; the audience is `audience-drift`'s (left out here).
 */

/** A sub pattern that would admit the situation, to paste into the policy. */
function suggestion(s: JobSituation, repo: string, example: string | undefined): string {
  const prefix = `repo:${repo}:`;
  if (s.kind === "environment") return renderSub(s);
  if (s.kind === "pull_request") return `${prefix}pull_request`;
  const refs = s.kind === "tag" ? "refs/tags/" : "refs/heads/";
  if (!s.holes) return renderSub(s);
  const positive = s.holes.include?.filter((p) => !p.startsWith("!")) ?? [];
  // The filter pattern that admits the refused example is the one to allow.
  const include = example === undefined ? positive : positive.filter((p) => filterListAdmits([p], example));
  if (include.length !== 1) return `${prefix}ref:${refs}*`;
  // GitHub glob → IAM StringLike: `**`/`*` become `*`; `?`, `+` and classes are widened to `*`.
  let p = (include[0] ?? "*").replace(/\*\*?/g, "*").replace(/\[[^\]]*\][?+]?|.[?+]/g, "*").replace(/\*+/g, "*");
  // A merge queue branch `gh-readonly-queue/BASE/pr-N-SHA`: allow the queue of that base.
  if (s.event === "merge_group") p = p.replace(/\/pr-\*$/, "/*");
  return `${prefix}ref:${refs}${p}`;
}

/** Events whose refs the workflow narrows with a filter (`branches`, `tags`). */
const FILTERED_EVENTS = new Set(["push", "merge_group"]);

function fixText(s: JobSituation, repo: string, example: string | undefined, allowed: readonly string[], defaultBranch: string): string {
  const suggested = suggestion(s, repo, example);
  const add = `add \`${suggested}\` to the role's \`…:sub\` condition${suggested.includes("*") ? " (as `StringLike`: it holds `*`)" : ""}`;
  // The environment the role names, if any: with one, a job's sub is `…:environment:NAME` on every trigger.
  const roleEnv = allowed.map((p) => /:environment:([^:*?]+)$/.exec(p)?.[1]).find((e) => e !== undefined);
  const env = roleEnv === undefined ? undefined : decodeURIComponent(roleEnv);
  if (s.kind === "environment") {
    if (env !== undefined) return `${add}, or give the job the environment the role names (\`environment: ${env}\`)`;
    return `${add}: a job with \`environment:\` always gets \`…:environment:NAME\`, never \`…:ref:…\`; or drop the job's \`environment:\` so that it gets the ref-based sub the role accepts`;
  }
  const envOnly = allowed.length > 0 && allowed.every((p) => p.includes(":environment:"));
  if (env !== undefined && envOnly) return `give the job the environment the role names (\`environment: ${env}\`: its sub is then \`repo:${repo}:environment:${roleEnv ?? env}\` on every trigger), or ${add}`;
  if (s.kind === "pull_request")
    return `do not assume this role in \`pull_request\` runs (\`if: github.event_name != 'pull_request'\` on the job or on the step that assumes it), or, if pull requests may use the role, ${add}`;
  if (s.event === "workflow_dispatch") return `${add}, or run the job only on an accepted branch (e.g. job \`if: github.ref == 'refs/heads/${defaultBranch}'\`)`;
  if (FILTERED_EVENTS.has(s.event)) return `${add}, or narrow the trigger's \`${s.kind === "tag" ? "tags" : "branches"}\` filter to the refs the role accepts`;
  return `${add}, or restrict the job with \`if:\` (e.g. \`if: github.event_name != '${s.event}'\`)`;
}

export default defineRule({
  meta: {
    id: "trust-mismatch",
    severity: "error",
    description: "Workflow job would be refused by the trust policy of the role it assumes (AccessDenied predicted)",
    inputs: ["workflow", "policy"],
    messages: {
      refused: {
        message: "Role refuses job `{{job}}`'s sub `{{sub}}`",
        explanation:
          "AccessDenied predicted: job `{{job}}` assumes {{role}} on {{trigger}}, where GitHub sends the sub `{{sub}}`{{example}}; the role's trust policy accepts no such sub (allowed: {{allowed}}), so `sts:AssumeRoleWithWebIdentity` fails.",
        fix: "{{fix}}.",
      },
    },
  },
  check(ctx) {
    const { project, settings } = ctx;
    const repo = settings.repository ?? "OWNER/REPO";
    // Nothing to predict without a role defined in the linted files.
    if (!definesRoles(project, settings)) return;
    for (const wf of project.workflows) {
      for (const job of wf.jobs) {
        const uses = jobRoleAssumptions(project, settings, wf, job);
        if (uses.length === 0) continue;
        for (const use of uses) {
          const roles: ResolvedRole[] = resolveRole(use.role, project, settings);
          if (roles.length === 0) continue;
          // The step runs only where both the job's and the step's `if:` let it.
          const situations = jobSituations(wf, job, settings, use.step).filter((s) => s.kind !== "unknown");
          const reportedTriggers = new Set<string>();
          const reportedSubs = new Set<string>();
          for (const s of situations) {
            const triggerKey = `${s.trigger.event.loc.line}:${s.trigger.event.loc.column}`;
            if (reportedTriggers.has(triggerKey)) continue;
            // Every candidate role must refuse (two roles of one name in different stacks: be certain).
            const verdicts = roles.map((r) => findRefusedClaim(r.docs, s.claims, settings, s.holes, ["aud"]));
            if (!verdicts.every((v) => v.verdict === "refused")) continue;
            const first = verdicts[0];
            const example = first?.verdict === "refused" ? first.example : undefined;
            const sub = renderSub(s, example);
            // A job with an environment gets the same sub on every trigger: one finding says it.
            if (s.kind === "environment" && reportedSubs.has(sub)) continue;
            reportedSubs.add(sub);
            reportedTriggers.add(triggerKey);
            const allowedValues = roles.flatMap((r) => allowedPatterns(r.docs, settings));
            const patterns = allowedValues.map((v) => `\`${displayText(v)}\``);
            const role = roles[0];
            ctx.report({
              messageId: "refused",
              at: use.loc,
              data: {
                job: job.id.value,
                role: `\`${displayText(use.role)}\`${role ? ` (${role.label})` : ""}`,
                trigger: `\`${s.event}\`${s.description ? ` (${s.description})` : ""}`,
                sub,
                example: example !== undefined && s.holes && (s.kind === "branch" || s.kind === "tag") ? ` (e.g. for ${s.kind === "tag" ? "tag" : "branch"} \`${example}\`)` : "",
                allowed: patterns.length > 0 ? [...new Set(patterns)].join(", ") : "no sub condition",
                fix: fixText(s, repo, example, allowedValues.map((v) => knownText(v)).filter((t): t is string => t !== undefined), settings.defaultBranch),
              },
              // Point code scanning at the sub condition that refuses (else the role's trust policy).
              ...(role
                ? { related: [allowedValues[0] ? { message: "the sub the role's trust policy accepts", loc: allowedValues[0].loc } : { message: "the role's trust policy", loc: role.docs[0]?.loc ?? role.loc }] }
                : {}),
            });
          }
        }
      }
    }
  },
});
