import { defineRule } from "../src/engine/rule.js";
import { githubConditions, githubPrincipals, githubTrustStatements, providerArnIssuer } from "../src/model/github-trust.js";
import type { Statement } from "../src/model/policy.js";
import { exampleSub } from "../src/model/sub-claim.js";
import { displayText, knownText } from "../src/model/value.js";
import { githubKeyProblem } from "../src/model/condition-keys.js";

/** Claims whose positive condition scopes a GitHub trust to repositories (IAM's own check accepts both). */
const SCOPING_CLAIMS = new Set(["sub", "job_workflow_ref"]);

/**
 * A condition key that was meant to be a scoping claim but is misspelt (`…githubusercontent.com/sub`,
 * `token.action.…:sub`, `…:subject`): `unknown-condition-key` reports it, and the fix there is the fix.
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
    description: "Trust policy lets GitHub's OIDC provider in without a positive condition on the sub (or job_workflow_ref) claim",
    inputs: ["policy"],
    messages: {
      missing:
        "This statement trusts GitHub's OIDC provider ({{provider}}) with no condition on `{{issuer}}:sub` or `{{issuer}}:job_workflow_ref`: a workflow in any repository on GitHub, of any owner, can assume this role. IAM refuses to create or update a role with this trust policy (MalformedPolicyDocument: a sub or job_workflow_ref condition \"not scoped to all\" is required), so such a role predates that check or will not deploy. Add a condition naming your repository, e.g. \"StringEquals\": { \"{{issuer}}:sub\": \"{{example}}\" }.",
      negatedOnly:
        "This statement trusts GitHub's OIDC provider ({{provider}}) and conditions `{{issuer}}:sub`/`job_workflow_ref` only with negated operators ({{operators}}): they refuse what they name and admit everything else, so a workflow in any repository on GitHub can assume this role. IAM refuses to create or update a role without a positive StringEquals/StringLike condition on sub or job_workflow_ref (MalformedPolicyDocument). Add one naming your repository, e.g. \"StringEquals\": { \"{{issuer}}:sub\": \"{{example}}\" }.",
    },
  },
  check(ctx) {
    const example = exampleSub(ctx.settings.subClaimTemplate, ctx.settings.repository ?? "OWNER/REPO", ctx.settings.defaultBranch);
    for (const { stmt } of githubTrustStatements(ctx.project.policies, ctx.settings)) {
      // Conditions that could not be resolved may hold the sub condition: nothing is certain.
      if (stmt.unknownConditions) continue;
      if (stmt.conditions.some((c) => knownText(c.key) === undefined)) continue;
      const scoping = githubConditions(stmt, ctx.settings).filter((c) => SCOPING_CLAIMS.has(c.claim));
      if (scoping.some((c) => !c.operator.negated)) continue;
      if (hasMisspeltScopingKey(stmt, ctx.settings)) continue;
      const issuer = scoping[0]?.issuer ?? trustedIssuer(stmt, ctx.settings);
      const principal = githubPrincipals(stmt, ctx.settings)[0];
      const provider = principal ? `\`${displayText(principal)}\`` : `condition keys of \`${issuer}\``;
      const data = { provider, issuer, example };
      const at = stmt.conditionLoc ?? stmt.loc;
      if (scoping.length > 0) {
        const operators = [...new Set(scoping.map((c) => `\`${c.condition.operator.value}\``))].join(", ");
        ctx.report({ messageId: "negatedOnly", at, data: { ...data, operators } });
      } else {
        ctx.report({ messageId: "missing", at, data });
      }
    }
  },
});
