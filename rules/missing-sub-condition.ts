import { defineRule } from "../src/engine/rule.js";
import {
  SCOPING_CLAIMS,
  comparesStrings,
  githubConditions,
  githubPrincipals,
  githubTrustStatements,
  hasUnresolvedConditionKeys,
  providerArnIssuer,
} from "../src/analysis/github-trust.js";
import type { Statement } from "../src/model/policy.js";
import { exampleSub } from "../src/analysis/sub-pattern.js";
import { displayText, knownText } from "../src/model/value.js";
import { githubKeyProblem } from "../src/analysis/condition-keys.js";

/**
 * A condition key that was meant to be a scoping claim but is misspelt (`…githubusercontent.com/sub`,
 * `token.action.…:sub`, `…:subject`): `unknown-condition-key` reports it, and the fix there is the fix
 * (while that rule is off, this one reports the statement).
 */
function hasMisspeltScopingKey(stmt: Statement, settings: Parameters<typeof githubKeyProblem>[1]): boolean {
  return stmt.conditions.some((c) => {
    const key = knownText(c.key);
    if (key === undefined) return false;
    const problem = githubKeyProblem(key, settings);
    return problem !== undefined && "suggestion" in problem && /:(sub|job_workflow_ref)$/i.test(problem.suggestion);
  });
}

/** The issuer the statement trusts, as its condition keys would name it. */
function trustedIssuer(stmt: Statement, settings: Parameters<typeof githubPrincipals>[1]): string {
  for (const p of githubPrincipals(stmt, settings)) {
    const issuer = providerArnIssuer(p);
    if (issuer !== undefined) return issuer;
  }
  return settings.issuer;
}

export default defineRule({
  meta: {
    id: "missing-sub-condition",
    severity: "error",
    description:
      "Trust policy lets GitHub's OIDC provider in without a positive condition on the sub (or job_workflow_ref) claim",
    inputs: ["policy"],
    fixable: false,
    defersTo: ["unknown-condition-key"],
    messages: {
      missing: {
        message: "No `sub` condition{{when}}: any repository on GitHub can assume this role",
        explanation:
          'This statement{{when}} trusts GitHub\'s OIDC provider ({{provider}}) with no condition on `{{issuer}}:sub` or `{{issuer}}:job_workflow_ref`: a workflow in any repository on GitHub, of any owner, can assume this role. IAM refuses to create or update a role with this trust policy (MalformedPolicyDocument: a sub or job_workflow_ref condition "not scoped to all" is required), so such a role predates that check or will not deploy.',
        fix: 'Add a condition naming your repository, e.g. "StringEquals": { "{{issuer}}:sub": "{{example}}" }.',
      },
      notComparing: {
        message: "`sub` is conditioned only with {{operators}}, which compares no repository",
        explanation:
          "This statement{{when}} trusts GitHub's OIDC provider ({{provider}}) and conditions `{{issuer}}:sub`/`job_workflow_ref` only with {{operators}}, which does not compare the claim with a repository: `Null` only tests whether the claim is present, and every GitHub token has one. So a workflow in any repository on GitHub, of any owner, can assume this role. IAM refuses to create or update a role without a StringEquals/StringLike condition on sub or job_workflow_ref that is not scoped to all (MalformedPolicyDocument).",
        fix: 'Replace it with a condition naming your repository, e.g. "StringEquals": { "{{issuer}}:sub": "{{example}}" }.',
      },
      negatedOnly: {
        message: "`sub` is conditioned only with negated {{operators}}: any repository can assume this role",
        explanation:
          "This statement{{when}} trusts GitHub's OIDC provider ({{provider}}) and conditions `{{issuer}}:sub`/`job_workflow_ref` only with negated operators ({{operators}}): they refuse what they name and admit everything else, so a workflow in any repository on GitHub can assume this role. IAM refuses to create or update a role without a positive StringEquals/StringLike condition on sub or job_workflow_ref (MalformedPolicyDocument).",
        fix: 'Add one naming your repository, e.g. "StringEquals": { "{{issuer}}:sub": "{{example}}" }.',
      },
    },
  },
  check(ctx) {
    const example = exampleSub(
      ctx.settings.subClaimTemplate,
      ctx.settings.repository ?? "OWNER/REPO",
      ctx.settings.defaultBranch,
    );
    for (const { doc, stmt } of githubTrustStatements(ctx.project.policies, ctx.settings)) {
      // Conditions that could not be resolved, or keys that are not fully known, may hold the sub
      // condition: nothing is certain.
      if (hasUnresolvedConditionKeys(stmt)) continue;
      const scoping = githubConditions(stmt, ctx.settings).filter((c) => SCOPING_CLAIMS.has(c.claim));
      if (scoping.some(comparesStrings)) continue;
      if (hasMisspeltScopingKey(stmt, ctx.settings) && ctx.isOn("unknown-condition-key", stmt.loc.file)) continue;
      const issuer = scoping[0]?.issuer ?? trustedIssuer(stmt, ctx.settings);
      const principal = githubPrincipals(stmt, ctx.settings)[0];
      const provider = principal ? `\`${displayText(principal)}\`` : `condition keys of \`${issuer}\``;
      // A CloudFormation document read once per `Fn::If` branch: say which reading lacks the condition.
      const when = doc.branch ? ` (when ${doc.branch.replace(/condition (\S+) (true|false)/g, "`$1` is $2")})` : "";
      const data = { provider, issuer, example, when };
      // The finding goes to the condition that stands in for a scoping one (its operator says what is
      // wrong with it), else to the Condition element that lacks one.
      const negated = scoping.filter((c) => c.operator.negated);
      const offending = negated.length > 0 ? negated : scoping;
      const operators = [...new Set(offending.map((c) => `\`${c.condition.operator.value}\``))].join(", ");
      const first = offending[0];
      if (!first) ctx.report({ messageId: "missing", at: stmt.conditionLoc ?? stmt.loc, data });
      else
        ctx.report({
          messageId: negated.length > 0 ? "negatedOnly" : "notComparing",
          at: first.condition.operator,
          data: { ...data, operators },
        });
    }
  },
});
