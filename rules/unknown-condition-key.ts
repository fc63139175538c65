import { defineRule } from "../src/engine/rule.js";
import { AWS_GITHUB_CLAIM_KEYS, githubKeyProblem } from "../src/analysis/condition-keys.js";
import { isAllow, isDeny, parseOperator, type OperatorInfo } from "../src/analysis/github-trust.js";
import type { Condition, Statement } from "../src/model/policy.js";
import { DEFAULT_AWS_AUDIENCE } from "../src/model/well-known.js";
import { knownText } from "../src/model/value.js";

/** Whether a condition is satisfied when its key is missing from the request context. */
export function passesWhenAbsent(op: OperatorInfo): boolean {
  if (op.ifExists) return true;
  if (op.set === "ForAllValues") return true;
  if (op.set === "ForAnyValue") return false;
  return op.negated;
}

/** What a condition on a key that is never in the request does, in words. */
function consequence(stmt: Statement, op: OperatorInfo): string {
  const passes = passesWhenAbsent(op);
  if (isDeny(stmt))
    return passes
      ? "always holds: it does not narrow this Deny"
      : "never holds: this Deny never applies and protects nothing";
  if (isAllow(stmt)) {
    return passes
      ? `always holds under \`${op.text}\`: it restricts nothing`
      : "never holds: every AssumeRoleWithWebIdentity through this statement is refused (AccessDenied)";
  }
  return passes ? "always holds" : "never holds";
}

/**
 * The claim a key without one was meant for, read from its values, and why: audiences (the configured one,
 * `sts.amazonaws.com`, a URL) mean `aud`; subjects (`repo:…`) mean `sub`; otherwise `sub`, the claim a trust
 * policy restricts, said as a guess.
 */
function intendedClaim(condition: Condition, audience: string): { claim: "sub" | "aud"; why: string } {
  const values = condition.values.items.map((v) => knownText(v)).filter((t): t is string => t !== undefined);
  const isAudience = (t: string): boolean => t === audience || t === DEFAULT_AWS_AUDIENCE || /^https?:\/\//.test(t);
  if (values.length > 0 && values.every(isAudience)) return { claim: "aud", why: " (its values are audiences)" };
  if (values.some((t) => t.startsWith("repo:"))) return { claim: "sub", why: " (its values are subjects)" };
  return { claim: "sub", why: ", or the key of the claim the condition is about" };
}

export default defineRule({
  meta: {
    id: "unknown-condition-key",
    severity: "error",
    description: "Condition key meant for GitHub's OIDC issuer that is misspelt or that AWS does not support",
    inputs: ["policy"],
    fixable: false,
    messages: {
      whitespaceInKey: {
        message: "Condition key `{{key}}` has leading or trailing whitespace",
        explanation:
          "Condition key `{{key}}` has leading or trailing whitespace. IAM compares key names exactly apart from case, so this key is never in the request and the condition {{consequence}}.",
        fix: "Write `{{suggestion}}`.",
      },
      schemeInKey: {
        message: "Condition key `{{key}}` includes the URL scheme",
        explanation:
          "Condition key `{{key}}` includes the URL scheme. IAM names an OIDC provider's keys by its URL without `https://`, so this key is never in the request and the condition {{consequence}}.",
        fix: "Write `{{suggestion}}`.",
      },
      slashInsteadOfColon: {
        message: "Condition key `{{key}}` separates the claim with `/` instead of `:`",
        explanation:
          "Condition key `{{key}}` separates the claim with `/` instead of `:`. IAM reads `{{key}}` as an issuer path with no claim, so it is never in the request and the condition {{consequence}}.",
        fix: "Write `{{suggestion}}`.",
      },
      misspeltIssuer: {
        message: "Condition key `{{key}}` names issuer `{{issuer}}`, not GitHub's",
        explanation:
          "Condition key `{{key}}` names issuer `{{issuer}}`, which is not GitHub's (`token.actions.githubusercontent.com`). The key is never in the request and the condition {{consequence}}.",
        fix: "Write `{{suggestion}}`.",
      },
      misspeltClaim: {
        message: "Condition key `{{key}}`: no claim `{{claim}}`; did you mean `{{suggestion}}`?",
        explanation:
          "Condition key `{{key}}` names claim `{{claim}}`, which AWS does not expose for GitHub's issuer; the key is never in the request and the condition {{consequence}}.",
        fix: "Write `{{suggestion}}`.",
      },
      unsupportedClaim: {
        message: "Condition key `{{key}}`: AWS does not expose claim `{{claim}}`",
        explanation:
          "Condition key `{{key}}`: `{{claim}}` is a claim of GitHub's token, but AWS does not make it a condition key (supported: {{supported}}). The key is never in the request and the condition {{consequence}}.",
        fix: "Express it through `sub` (e.g. `repo:OWNER/*`) or a supported key.",
      },
      issuerOnly: {
        message: "Condition key `{{key}}` names no claim; did you mean `{{suggestion}}`?",
        explanation:
          "Condition key `{{key}}` is the issuer alone. AWS names an OIDC provider's keys `ISSUER:CLAIM` (`{{issuer}}:sub`, `{{issuer}}:aud`); a key without the claim is never in the request, so the condition {{consequence}}.",
        fix: "Write `{{suggestion}}`{{why}}.",
      },
      unknownClaim: {
        message: "Condition key `{{key}}`: `{{claim}}` is not a claim AWS exposes for GitHub",
        explanation:
          "Condition key `{{key}}`: `{{claim}}` is not a claim AWS exposes for GitHub's issuer (supported: {{supported}}). The key is never in the request and the condition {{consequence}}.",
        fix: "Use a supported key.",
      },
    },
  },
  check(ctx) {
    const supported = AWS_GITHUB_CLAIM_KEYS.join(", ");
    for (const doc of ctx.project.policies) {
      if (doc.kind === "permissions") continue;
      for (const stmt of doc.statements) {
        for (const condition of stmt.conditions) {
          const key = knownText(condition.key);
          if (key === undefined) continue;
          const problem = githubKeyProblem(key, ctx.settings);
          if (!problem) continue;
          const data: Record<string, string> = {
            key,
            supported,
            consequence: consequence(stmt, parseOperator(condition.operator.value)),
          };
          switch (problem.kind) {
            case "whitespace":
              ctx.report({
                messageId: "whitespaceInKey",
                at: condition.key,
                data: { ...data, suggestion: problem.suggestion },
              });
              break;
            case "scheme":
              ctx.report({
                messageId: "schemeInKey",
                at: condition.key,
                data: { ...data, suggestion: problem.suggestion },
              });
              break;
            case "slash":
              ctx.report({
                messageId: "slashInsteadOfColon",
                at: condition.key,
                data: { ...data, suggestion: problem.suggestion },
              });
              break;
            case "issuer":
              ctx.report({
                messageId: "misspeltIssuer",
                at: condition.key,
                data: { ...data, issuer: problem.issuer, suggestion: problem.suggestion },
              });
              break;
            case "claim":
              ctx.report({
                messageId: "misspeltClaim",
                at: condition.key,
                data: { ...data, claim: problem.claim, suggestion: problem.suggestion },
              });
              break;
            case "unsupported":
              ctx.report({ messageId: "unsupportedClaim", at: condition.key, data: { ...data, claim: problem.claim } });
              break;
            case "unknownClaim":
              ctx.report({ messageId: "unknownClaim", at: condition.key, data: { ...data, claim: problem.claim } });
              break;
            case "issuerOnly": {
              const { claim, why } = intendedClaim(condition, ctx.settings.audience);
              ctx.report({
                messageId: "issuerOnly",
                at: condition.key,
                data: {
                  ...data,
                  issuer: problem.issuer,
                  suggestion: `${problem.issuer}:${claim}`,
                  why,
                },
              });
              break;
            }
          }
        }
      }
    }
  },
});
