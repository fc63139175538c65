import { defineRule } from "../src/engine/rule.js";
import { githubSubValues, valueNote } from "../src/analysis/sub-pattern.js";

export default defineRule({
  meta: {
    id: "mutable-sub-claim",
    severity: "off",
    description: "Name-only sub where the immutable (id-pinned) form would survive a rename",
    inputs: ["policy"],
    messages: {
      nameOnly:
        "`{{value}}`{{note}} pins `{{name}}` by name only. If the {{what}} is renamed or deleted, whoever next takes the name gets this role; and a repository that gets GitHub's immutable subjects (the default for repositories created or renamed on or after 2026-07-15: `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`) no longer matches a name-only value at all. Write `{{suggestion}}`, with the ids from `{{command}}`.",
    },
    strict: "warn",
  },
  check(ctx) {
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
