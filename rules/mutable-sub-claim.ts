import { defineRule } from "../src/engine/rule.js";
import { githubConditions, githubTrustStatements } from "../src/analysis/github-trust.js";
import { githubSubValues, matchModeOf, valueNote } from "../src/analysis/sub-pattern.js";
import { knownText } from "../src/model/value.js";

/**
 * The ref of a `job_workflow_ref` value (`OWNER/REPO/PATH@REF`) when it is not a commit SHA: a branch
 * (`@refs/heads/main`), a tag (`@refs/tags/v1`) or a pattern (`@*`). Undefined for a SHA, or a value
 * that is not wholly known.
 */
function movableRef(text: string): { ref: string; what: string } | undefined {
  const at = text.lastIndexOf("@");
  if (at < 0) return undefined;
  const ref = text.slice(at + 1);
  if (/^[0-9a-f]{40}$/.test(ref)) return undefined;
  if (ref.startsWith("refs/heads/")) return { ref, what: "a branch" };
  if (ref.startsWith("refs/tags/")) return { ref, what: "a tag" };
  return /[*?]/.test(ref) ? { ref, what: "any ref" } : undefined;
}

export default defineRule({
  meta: {
    id: "mutable-sub-claim",
    severity: "off",
    description:
      "Name-only sub where the immutable (id-pinned) form would survive a rename; job_workflow_ref pinned to a branch or tag",
    inputs: ["policy"],
    fixable: false,
    messages: {
      workflowRefNotSha: {
        message: "`{{value}}` pins the reusable workflow to {{what}} `{{ref}}`, which can move",
        explanation:
          "`{{value}}`{{note}} pins the reusable workflow to {{what}} (`{{ref}}`), which can move: whoever can push there changes what runs with this role.",
        fix: "Pin a commit SHA.",
      },
      nameOnly: {
        message: "`{{value}}` pins `{{name}}` by name only",
        explanation:
          "`{{value}}`{{note}} pins `{{name}}` by name only. If the {{what}} is renamed or deleted, whoever next takes the name gets this role; and a repository that gets GitHub's immutable subjects (the default for repositories created or renamed on or after 2026-07-15: `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`) no longer matches a name-only value at all.",
        fix: "Write `{{suggestion}}`, with the ids from `{{command}}`.",
      },
    },
    strict: "warn",
  },
  check(ctx) {
    // A reusable workflow pinned by a branch or tag runs whatever that ref points to when the caller runs.
    for (const { stmt } of githubTrustStatements(ctx.project.policies, ctx.settings)) {
      for (const c of githubConditions(stmt, ctx.settings)) {
        if (c.claim !== "job_workflow_ref" || matchModeOf(c) === undefined || c.operator.negated) continue;
        for (const v of c.condition.values.items) {
          const text = knownText(v);
          const movable = text === undefined ? undefined : movableRef(text);
          if (text === undefined || movable === undefined) continue;
          ctx.report({ messageId: "workflowRefNotSha", at: v, data: { value: text, note: valueNote(v), ...movable } });
        }
      }
    }
    for (const v of githubSubValues(ctx.project.policies, ctx.settings)) {
      const a = v.analysis;
      if (v.condition.operator.negated || !a.canMatch) continue;
      if (a.form !== "name" || a.owner === undefined || a.immutableForm === undefined) continue;
      const repository = a.repo !== undefined ? `${a.owner}/${a.repo}` : undefined;
      ctx.report({
        messageId: "nameOnly",
        at: v.value,
        data: {
          value: a.text,
          note: valueNote(v.value),
          name: repository ?? a.owner,
          what: repository ? "owner or repository" : "owner",
          suggestion: a.immutableForm,
          command: repository ? `gh api repos/${repository} --jq '.owner.id, .id'` : `gh api users/${a.owner} --jq .id`,
        },
      });
    }
  },
});
