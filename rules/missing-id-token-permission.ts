import { defineRule } from "../src/engine/rule.js";
import { addIdTokenWrite } from "../src/fix/workflow-fixes.js";
import type { RelatedLocation } from "../src/engine/rule.js";
import type { SourceLocation } from "../src/model/location.js";
import {
  effectivePermissions,
  jobOidcUses,
  type EffectivePermissions,
  type OidcUse,
} from "../src/analysis/token-use.js";
import type { Job, Workflow } from "../src/model/workflow.js";

/**
 * The `permissions` to write: the scopes in force (the job's, or the workflow's it inherits) with
 * `id-token: write` added, so that following the advice drops nothing (`contents: read, packages: read`
 * becomes all three plus `id-token: write`). `read-all` and the repository default cannot be listed
 * from here: `contents: read` is the usual base, to be completed by the reader.
 */
function fixText(eff: EffectivePermissions): string {
  const block = eff.permissions;
  if (block?.kind === "map" || block?.kind === "empty") {
    const kept = [...block.scopes]
      .filter(([name]) => name !== "id-token")
      .map(([name, v]) => `${name}: ${v.value.trim()}`);
    return `\`permissions: { ${[...kept, "id-token: write"].join(", ")} }\``;
  }
  const base = "`permissions: { contents: read, id-token: write }`";
  return block?.kind === "read-all"
    ? `${base} (\`read-all\` granted read on every scope: add the others the job reads)`
    : base;
}

/** How the permissions in force read in a message: "the job's `permissions: read-all` leaves …". */
function grantText(eff: EffectivePermissions, wf: Workflow): string {
  const whose =
    eff.source === "job"
      ? "the job's"
      : `the workflow-level (line ${wf.permissions?.loc.line ?? 0}, inherited by the job)`;
  switch (eff.permissions?.kind) {
    case "read-all":
      return `${whose} \`permissions: read-all\` leaves \`id-token\` at \`none\``;
    case "empty":
      return `${whose} \`permissions: {}\` sets every scope, \`id-token\` included, to \`none\``;
    default:
      return eff.permissions?.scopes.has("id-token")
        ? `${whose} \`permissions\` set \`id-token: none\``
        : `${whose} \`permissions\` name other scopes but not \`id-token\`, which leaves it at \`none\``;
  }
}

function lineOf(loc: SourceLocation): number {
  return loc.line;
}

export default defineRule({
  meta: {
    id: "missing-id-token-permission",
    severity: "error",
    description: "Job assumes a role through OIDC without an effective id-token: write",
    inputs: ["workflow"],
    messages: {
      missingPermission: {
        message: "Job `{{job}}` requests an OIDC token without `id-token: write`",
        explanation:
          "Job `{{job}}` requests an OIDC token ({{consumer}}, line {{line}}) but {{grant}}, so GitHub issues no token and the step fails.",
        fix: "Add `id-token: write` to the job: {{fix}}.",
      },
      idTokenRead: {
        message: "`id-token: read` is not a valid access level; job `{{job}}` gets no OIDC token",
        explanation:
          "`id-token: read` is not a valid access level: `id-token` takes only `write` or `none`, so job `{{job}}` gets no OIDC token for {{consumer}} (line {{line}}).",
        fix: "Write `id-token: write`.",
      },
      defaultPermissions: {
        message: "Job `{{job}}` requests an OIDC token, but default permissions grant no `id-token`",
        explanation:
          "Job `{{job}}` requests an OIDC token ({{consumer}}, line {{line}}) but neither the job nor the workflow sets `permissions`, so it runs with the repository's default token permissions ({{default}}); neither default includes `id-token`, so GitHub issues no token.",
        fix: "Add to the job: {{fix}}.",
      },
      callerMissingPermission: {
        message: "Job `{{job}}` calls `{{callee}}`, which needs an OIDC token, without `id-token: write`",
        explanation:
          "Job `{{job}}` calls `{{callee}}`, whose job `{{calleeJob}}` requests an OIDC token ({{consumer}}), but {{grant}}; a called workflow never gets more than its caller job grants.",
        fix: "Add to the calling job `{{job}}`: {{fix}}.",
      },
    },
  },
  checkWorkflowFile(ctx) {
    const usage = { index: ctx.index, settings: ctx.settings };
    for (const wf of ctx.project.workflows) {
      for (const job of wf.jobs) {
        const eff = effectivePermissions(job, wf);
        if (eff.idToken === "write" || eff.idToken === "unknown") continue;
        const use = jobOidcUses(usage, job, wf).find((u) => u.need === "yes");
        if (!use) continue;
        report(job, wf, eff, use);
      }
    }

    function report(job: Job, wf: Workflow, eff: EffectivePermissions, use: OidcUse): void {
      const data = { job: job.id.value, consumer: use.consumer, line: lineOf(use.loc), fix: fixText(eff) };
      const related: RelatedLocation[] = [{ message: "the OIDC token is requested here", loc: use.loc }];
      if (eff.source === "workflow" && wf.permissions)
        related.push({ message: "workflow-level permissions inherited by the job", loc: wf.permissions.loc });
      const at = job.permissions?.loc ?? job.id.loc;
      const fix = addIdTokenWrite(ctx.fixer, job, wf);
      if (eff.idToken === "read") {
        // `id-token: read` written in the job itself is the offending value; inherited, the job is.
        ctx.report({
          messageId: "idTokenRead",
          at: eff.source === "job" && eff.grantLoc ? eff.grantLoc : at,
          data,
          related,
          ...fix,
        });
        return;
      }
      if (use.via) {
        const grant =
          eff.source === "default"
            ? `neither the calling job nor its workflow sets \`permissions\`, so it passes on the repository default (${defaultText(ctx.settings.defaultTokenPermissions)}), which never includes \`id-token\``
            : grantText(eff, wf);
        ctx.report({
          messageId: "callerMissingPermission",
          at,
          data: { ...data, callee: use.via.callee, calleeJob: use.via.job, grant },
          related,
          ...fix,
        });
        return;
      }
      if (eff.source === "default") {
        ctx.report({
          messageId: "defaultPermissions",
          at,
          data: { ...data, default: defaultText(ctx.settings.defaultTokenPermissions) },
          related,
          ...fix,
        });
        return;
      }
      ctx.report({ messageId: "missingPermission", at, data: { ...data, grant: grantText(eff, wf) }, related, ...fix });
    }
  },
});

/** `restricted` is oidclint's default; `permissive` can only come from the config. */
function defaultText(setting: "restricted" | "permissive"): string {
  return setting === "restricted" ? "`restricted`, the default" : "configured as `permissive`";
}
