import { defineRule } from "../src/engine/rule.js";
import { jobSituations, renderSub, type JobSituation } from "../src/model/claims.js";
import { allowedPatterns, filterListAdmits, findRefusedClaim } from "../src/model/iam-matcher.js";
import { jobRoleAssumptions, resolveRole, type ResolvedRole } from "../src/model/roles.js";
import { displayText } from "../src/model/value.js";

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
  const p = (include[0] ?? "*").replace(/\*\*?/g, "*").replace(/\[[^\]]*\][?+]?|.[?+]/g, "*").replace(/\*+/g, "*");
  return `${prefix}ref:${refs}${p}`;
}

function fixText(s: JobSituation, repo: string, example: string | undefined, defaultBranch: string): string {
  const add = `add \`${suggestion(s, repo, example)}\` to the role's \`…:sub\` condition (as \`StringLike\` when it holds \`*\`)`;
  switch (s.kind) {
    case "environment":
      return `${add}, or change the job's \`environment\``;
    case "pull_request":
      return `${add}, or do not assume this role from \`pull_request\` runs`;
    default:
      if (s.event === "workflow_dispatch") return `${add}, or run the job only on an accepted branch (e.g. job \`if: github.ref == 'refs/heads/${defaultBranch}'\`)`;
      return s.holes ? `${add}, or narrow the trigger's filter to the refs the role accepts` : add;
  }
}

export default defineRule({
  meta: {
    id: "trust-mismatch",
    severity: "error",
    description: "Workflow job would be refused by the trust policy of the role it assumes (AccessDenied predicted)",
    inputs: ["workflow", "policy"],
    messages: {
      refused:
        "AccessDenied predicted: job `{{job}}` assumes {{role}} on {{trigger}}, where GitHub sends the sub `{{sub}}`{{example}}; " +
        "the role's trust policy accepts no such sub (allowed: {{allowed}}), so `sts:AssumeRoleWithWebIdentity` fails. Fix: {{fix}}.",
    },
  },
  check(ctx) {
    const { project, settings } = ctx;
    const repo = settings.repository ?? "OWNER/REPO";
    for (const wf of project.workflows) {
      for (const job of wf.jobs) {
        const uses = jobRoleAssumptions(project, settings, wf, job);
        if (uses.length === 0) continue;
        const situations = jobSituations(wf, job, settings).filter((s) => s.kind !== "unknown");
        for (const use of uses) {
          const roles: ResolvedRole[] = resolveRole(use.role, project, settings);
          if (roles.length === 0) continue;
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
            const patterns = roles.flatMap((r) => allowedPatterns(r.docs, settings)).map((v) => `\`${displayText(v)}\``);
            const role = roles[0];
            ctx.report({
              messageId: "refused",
              at: use.loc,
              data: {
                job: job.id.value,
                role: `\`${displayText(use.role)}\`${role ? ` (${role.label})` : ""}`,
                trigger: `\`${s.event}\` (${s.description})`,
                sub,
                example: example !== undefined && s.holes && (s.kind === "branch" || s.kind === "tag") ? ` (e.g. for ${s.kind === "tag" ? "tag" : "branch"} \`${example}\`)` : "",
                allowed: patterns.length > 0 ? [...new Set(patterns)].join(", ") : "no sub condition",
                fix: fixText(s, repo, example, settings.defaultBranch),
              },
              ...(role ? { related: [{ message: "the role's trust policy", loc: role.docs[0]?.loc ?? role.loc }] } : {}),
            });
          }
        }
      }
    }
  },
});
