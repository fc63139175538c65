import { defineRule } from "../src/engine/rule.js";
import { idTokenAccess, jobNeed, jobOidcUses } from "../src/analysis/token-use.js";
import type { Job, Permissions } from "../src/model/workflow.js";
import { moveIdTokenToJobs } from "../src/fix/workflow-fixes.js";

/** `{ contents: write, packages: write }`: a permissions map without `id-token`, as a flow mapping. */
function flowMap(entries: readonly string[]): string {
  return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
}

/** The scopes a map grants besides `id-token`, as `name: value`, in the order written. */
function otherScopes(p: Permissions): string[] {
  return [...p.scopes].filter(([name]) => name !== "id-token").map(([name, v]) => `${name}: ${v.value.trim()}`);
}

/**
 * The fix for this workflow: the workflow level keeps every other scope it grants (never narrowed to a
 * `contents: read` it may not be enough for), and the jobs that need the token get their own block,
 * which replaces the workflow's and so repeats those scopes.
 */
function fixText(p: Permissions, needing: readonly string[]): string {
  const jobs = needing.length === 1 ? `job ${needing.join("")}` : `jobs ${needing.join(", ")}`;
  if (p.kind === "write-all") {
    if (needing.length === 0)
      return "No job here requests one: replace `write-all` by the scopes the jobs use, without `id-token`.";
    return `Replace \`write-all\` by the scopes the jobs use, without \`id-token\`, and give ${jobs} (which need or may need a token) their own \`permissions\` with the scopes they use plus \`id-token: write\`; a job's \`permissions\` replace the workflow's.`;
  }
  const others = otherScopes(p);
  const keep = `\`permissions: ${flowMap(others)}\``;
  if (needing.length === 0)
    return `No job here requests one: remove \`id-token: write\`, leaving ${keep} at workflow level.`;
  const jobBlock = `\`permissions: ${flowMap([...others, "id-token: write"])}\``;
  const repeat =
    others.length > 0 ? " (a job's `permissions` replace the workflow's, so the block repeats the other scopes)" : "";
  return `Move \`id-token: write\` to the job(s) that need or may need it: leave ${keep} at workflow level and give ${jobs} ${jobBlock}${repeat}.`;
}

export default defineRule({
  meta: {
    id: "excessive-id-token-scope",
    severity: "warn",
    description: "id-token: write granted at workflow level when not every job needs it",
    inputs: ["workflow"],
    messages: {
      workflowLevel: {
        message: "{{grant}} at workflow level, but {{jobs}} {{verb}} not request an OIDC token",
        explanation:
          "{{grant}} at workflow level gives every job an OIDC token, but {{jobs}} {{verb}} not request one. Any step there, third-party actions included, can then mint a token for your cloud roles.",
        fix: "{{fix}}",
      },
    },
  },
  checkWorkflowFile(ctx) {
    const usage = { index: ctx.index, settings: ctx.settings };
    for (const wf of ctx.project.workflows) {
      if (!wf.permissions) continue;
      const grant = idTokenAccess(wf.permissions);
      if (grant.access !== "write" || !grant.loc) continue;
      const idle: string[] = [];
      const needing: string[] = [];
      const needingJobs: Job[] = [];
      for (const job of wf.jobs) {
        if (job.permissions) continue; // its own block replaces the workflow's
        // Only a certain "no" is idle: a job that may request a token (an action oidclint does not know) is not reported.
        const need = jobNeed(jobOidcUses(usage, job, wf));
        (need === "no" ? idle : needing).push(`\`${job.id.value}\``);
        if (need !== "no") needingJobs.push(job);
      }
      if (idle.length === 0) continue;
      ctx.report({
        messageId: "workflowLevel",
        at: grant.loc,
        data: {
          grant:
            wf.permissions.kind === "write-all"
              ? "`write-all` (which includes `id-token: write`)"
              : "`id-token: write`",
          jobs: idle.length === 1 ? `job ${idle.join("")}` : `jobs ${idle.join(", ")}`,
          verb: idle.length === 1 ? "does" : "do",
          fix: fixText(wf.permissions, needing),
        },
        ...moveIdTokenToJobs(ctx.fixer, wf, needingJobs),
      });
    }
  },
});
