import { defineRule } from "../src/engine/rule.js";
import { operatorToLike, shortRefIsCertain, valueChange } from "../src/fix/policy-fixes.js";
import { analyseSub, describeTemplate, exampleSub, githubSubValues, valueNote } from "../src/analysis/sub-pattern.js";

export default defineRule({
  meta: {
    id: "invalid-sub-pattern",
    severity: "error",
    description: "Sub condition value that can never match a token GitHub issues",
    inputs: ["policy"],
    messages: {
      empty: {
        message: "Empty `sub` value never matches",
        explanation: "An empty `sub` value never matches: GitHub's sub claim is never empty.",
        fix: "Write the claim of the workflow that should get in, e.g. `{{example}}`.",
      },
      whitespace: {
        message: "`{{value}}` has {{where}} whitespace and never matches",
        explanation:
          "`{{value}}`{{note}} has {{where}} whitespace; no sub claim GitHub issues has it, and IAM compares values exactly, so this value never matches.",
        fix: "Write `{{suggestion}}`.",
      },
      url: {
        message: "`{{value}}` is a URL, not a sub claim; it never matches",
        explanation:
          "`{{value}}`{{note}} is a URL, but the sub claim names the repository as `{{expected}}`, so this value never matches.",
        fix: "Write e.g. `{{suggestion}}`.",
      },
      literalWildcard: {
        message: "`{{token}}` in `{{value}}` is literal under `{{operator}}`; it never matches",
        explanation:
          "`{{value}}`{{note}} is under `{{operator}}`, where `{{token}}` is a literal character, not a wildcard; no sub claim GitHub issues contains it, so this value never matches.",
        fix: "Move the pattern to `StringLike` (keeping it as narrow as possible), or write the exact claim, e.g. `{{example}}`.",
      },
      missingRepoPrefix: {
        message: "`{{value}}` starts with `{{token}}`, not `{{expected}}`; it never matches",
        explanation:
          "`{{value}}`{{note}} starts with `{{token}}`, but GitHub's sub claim starts with `{{expected}}` (`{{template}}`), so this value never matches.",
        fix: "Write `{{suggestion}}`.",
      },
      shortRef: {
        message: "`{{value}}`: the ref is `{{expected}}`, not `{{token}}`",
        explanation:
          "`{{value}}`{{note}} writes the ref as `{{token}}`, but the sub claim carries the full ref: GitHub issues `{{expected}}`, so this value never matches.",
        fix: "Write `{{suggestion}}`.",
      },
      wrongContext: {
        message: "`{{value}}` uses context `{{token}}`, which GitHub never issues",
        explanation:
          "`{{value}}`{{note}} uses the context `{{token}}`, which GitHub never issues; it issues `{{expected}}` (contexts: `ref:refs/heads/BRANCH`, `ref:refs/tags/TAG`, `environment:NAME`, `pull_request`), so this value never matches.",
        fix: "Write `{{suggestion}}`.",
      },
      mixedForm: {
        message: "`{{value}}` gives an id to only one of owner and repository; it never matches",
        explanation:
          "`{{value}}`{{note}} gives an id to only one of owner and repository. GitHub's sub names both with ids (`repo:OWNER@OWNER_ID/REPO@REPO_ID:…`) or neither (`repo:OWNER/REPO:…`), so this value never matches.",
        fix: "Add the missing id (`@*` accepts any), or remove both.",
      },
      placeholder: {
        message: "`{{value}}` still holds the placeholder `{{token}}`; it never matches",
        explanation:
          "`{{value}}`{{note}} still holds `{{token}}`, a placeholder meant to be replaced: no owner or repository name contains `{`, `}`, `<` or `>`, so no sub claim GitHub issues matches this value.",
        fix: "Replace `{{token}}` with the real name, e.g. `{{example}}`.",
      },
      noContext: {
        message: "`{{value}}` names no branch, tag, environment or pull request; it never matches",
        explanation:
          "`{{value}}`{{note}} names the repository and stops: GitHub's sub claim always goes on with a context (`ref:refs/heads/BRANCH`, `ref:refs/tags/TAG`, `environment:NAME` or `pull_request`), and IAM compares the whole claim, so this value never matches.",
        fix: "Add the context of the workflow that should get in, e.g. `{{suggestion}}`.",
      },
      neverMatches: {
        message: "`{{value}}` never matches a sub of the template `{{template}}`",
        explanation:
          "`{{value}}`{{note}} can never match a sub claim GitHub issues under the template `{{template}}` (e.g. `{{example}}`).",
        fix: "If your organisation customised the sub claim (`include_claim_keys`), set `subClaimTemplate` in the oidclint config to its claim keys.",
      },
    },
  },
  check(ctx) {
    const template = ctx.settings.subClaimTemplate;
    const example = exampleSub(template, ctx.settings.repository ?? "OWNER/REPO", ctx.settings.defaultBranch);
    for (const v of githubSubValues(ctx.project.policies, ctx.settings)) {
      const problem = v.analysis.problem;
      if (v.analysis.canMatch || !problem) continue;
      // `ref:main` → `ref:refs/heads/main` is a fix when certain; every other corrected value a suggestion.
      const suggest = (text: string | undefined, fixable: boolean) =>
        text === undefined || text.includes("OWNER/REPO")
          ? {}
          : valueChange(ctx.fixer, v.value, v.analysis.text, text, fixable && shortRefIsCertain(v.analysis.text, text));
      const data = {
        value: v.analysis.text,
        note: valueNote(v.value),
        operator: v.condition.condition.operator.value,
        template: describeTemplate(template),
        example,
        token: problem.token ?? "",
        expected: problem.expected ?? "",
        suggestion: problem.suggestion ?? example,
      };
      switch (problem.kind) {
        case "literalWildcard": {
          // The same value as a pattern names the repository; the exact claim for it is the example.
          const asPattern = analyseSub(v.value, "like", template);
          const repository =
            asPattern.owner !== undefined && asPattern.repo !== undefined
              ? `${asPattern.owner}/${asPattern.repo}`
              : ctx.settings.repository;
          ctx.report({
            messageId: "literalWildcard",
            at: v.value,
            data: { ...data, example: exampleSub(template, repository ?? "OWNER/REPO", ctx.settings.defaultBranch) },
            ...operatorToLike(ctx.fixer, v, template),
          });
          break;
        }
        case "whitespace":
          ctx.report({
            messageId: "whitespace",
            at: v.value,
            data: { ...data, where: problem.token ?? "stray" },
            ...suggest(problem.suggestion, false),
          });
          break;
        case "noContext": {
          // The repository as written, with the context of a run on the default branch.
          const suggestion = exampleSub(template, v.analysis.text.slice("repo:".length), ctx.settings.defaultBranch);
          ctx.report({
            messageId: "noContext",
            at: v.value,
            data: { ...data, suggestion },
            ...suggest(suggestion, false),
          });
          break;
        }
        default:
          ctx.report({
            messageId: problem.kind,
            at: v.value,
            data,
            ...suggest(problem.suggestion, problem.kind === "shortRef"),
          });
      }
    }
  },
});
