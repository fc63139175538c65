import { defineRule } from "../src/engine/rule.js";
import { idTokenAccess, jobNeed, jobOidcUses } from "../src/model/oidc-usage.js";

export default defineRule({
  meta: {
    id: "excessive-id-token-scope",
    severity: "warn",
    description: "id-token: write granted at workflow level when not every job needs it",
    inputs: ["workflow"],
    messages: {
      workflowLevel:
        "{{grant}} at workflow level gives every job an OIDC token, but {{jobs}} {{verb}} not request one. Any step of those jobs, third-party actions included, can then mint a token for your cloud roles. Move `id-token: write` into the `permissions` of the job(s) that need it{{needing}} and keep the workflow level at `permissions: { contents: read }`.",
    },
  },
  check(ctx) {
    const usage = { project: ctx.project, settings: ctx.settings };
    for (const wf of ctx.project.workflows) {
      if (!wf.permissions) continue;
      const grant = idTokenAccess(wf.permissions);
      if (grant.access !== "write" || !grant.loc) continue;
      const idle: string[] = [];
      const needing: string[] = [];
      for (const job of wf.jobs) {
        if (job.permissions) continue; // its own block replaces the workflow's
        const need = jobNeed(jobOidcUses(usage, job, wf));
        (need === "no" ? idle : needing).push(`\`${job.id.value}\``);
      }
      if (idle.length === 0) continue;
      ctx.report({
        messageId: "workflowLevel",
        at: grant.loc,
        data: {
          grant: wf.permissions.kind === "write-all" ? "`write-all` (which includes `id-token: write`)" : "`id-token: write`",
          jobs: idle.length === 1 ? `job ${idle.join("")}` : `jobs ${idle.join(", ")}`,
          verb: idle.length === 1 ? "does" : "do",
          needing: needing.length > 0 ? ` (${needing.join(", ")})` : " (no job here does: remove it)",
        },
      });
    }
  },
});
