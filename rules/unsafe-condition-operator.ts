import { defineRule } from "../src/engine/rule.js";
import {
  SCOPING_CLAIMS,
  failsIamCreateCheck,
  githubConditions,
  githubTrustStatements,
  isIamOperator,
  type GitHubCondition,
} from "../src/analysis/github-trust.js";
import type { SourceLocation } from "../src/model/location.js";
import { knownText } from "../src/model/value.js";

/** Claims whose conditions decide who gets in: the scoping claims and the audience. */
const GUARDED_CLAIMS = new Set(["sub", "aud", "job_workflow_ref"]);

type Problem = "forAllValues" | "ifExists" | "negated" | "forAnyValue";

/**
 * The one thing to say about an operator. A negated condition is judged by what else the statement says
 * about the same claim: next to a positive condition it only carves an exception out of an allowed set
 * (`repo:acme/*` but not `repo:acme/sandbox:*`), which is safe; alone it allows everything it does not
 * name. `…IfExists` and `ForAllValues:` change nothing on a negated operator (it already holds when the key
 * is absent), so only the negation is judged there.
 */
function problemOf(c: GitHubCondition): Problem | undefined {
  const op = c.operator;
  if (op.negated) return "negated";
  if (op.set === "ForAllValues") return "forAllValues";
  if (op.ifExists) return "ifExists";
  if (op.set === "ForAnyValue") return "forAnyValue";
  return undefined;
}

/** The operator to write instead: the plain, positive form. */
function saferOperator(c: GitHubCondition): string {
  const base = c.operator.base.replace(/^StringNot/i, "String");
  return /^String(Equals|Like|EqualsIgnoreCase)$/i.test(base) ? base : "StringEquals";
}

/** What an unknown operator was meant to be: `ForAllValuesStringEquals` → `StringEquals`. */
function closestOperator(c: GitHubCondition): string {
  const m = /(String(?:Not)?(?:EqualsIgnoreCase|Equals|Like))/i.exec(c.operator.text);
  return m?.[1] ? m[1].replace(/^stringnot/i, "String") : "StringEquals";
}

function locKey(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** The conditions of one operator block (one finding names all its keys). */
interface OperatorBlock {
  first: GitHubCondition;
  keys: string[];
}

/** Adds `c`'s key to the group of its operator block in `groups` (made by `make` for the first), and returns it. */
function inBlock<G extends OperatorBlock>(
  groups: Map<string, G>,
  c: GitHubCondition,
  make: (first: GitHubCondition, keys: string[]) => G,
): G {
  const id = locKey(c.condition.operator.loc) + c.condition.operator.value;
  const key = `\`${knownText(c.condition.key) ?? c.claim}\``;
  let group = groups.get(id);
  if (group) group.keys.push(key);
  else groups.set(id, (group = make(c, [key])));
  return group;
}

export default defineRule({
  meta: {
    id: "unsafe-condition-operator",
    severity: "warn",
    description: "IfExists, set or negated condition operator on a GitHub claim that decides who may assume the role",
    inputs: ["policy"],
    fixable: false,
    messages: {
      forAllValues: {
        message: "`{{operator}}` on {{keys}} holds when the claim is absent",
        explanation:
          '`{{operator}}` on {{keys}}: `ForAllValues:` is true when the key is absent from the request (an empty set satisfies "all values"), and these claims are single-valued. A token without the claim, or a key IAM never fills in, passes.{{iam}}',
        fix: "Use `{{fix}}`.",
      },
      ifExists: {
        message: "`{{operator}}` on {{keys}} holds when the claim is absent",
        explanation:
          "`{{operator}}` on {{keys}}: `…IfExists` is true when the key is absent from the request, so the statement does not guarantee the claim was checked (a token of another provider this statement trusts, or a key that is never filled in, passes).{{iam}}",
        fix: "Use `{{fix}}`.",
      },
      negated: {
        message: "`{{operator}}` on {{keys}} allows every value it does not name",
        explanation:
          "`{{operator}}` on {{keys}} is the only condition on this claim: a negated operator allows every value it does not name — any other audience the provider accepts, now or later.",
        fix: "Name what to allow instead: `{{fix}}` with the audience your workflows send.",
      },
      unknownOperator: {
        message: "`{{operator}}` is not an IAM condition operator; IAM refuses this trust policy",
        explanation:
          "`{{operator}}` (on {{keys}}) is not an operator IAM knows, so IAM refuses to create or update a role with this trust policy (MalformedPolicyDocument: Invalid Condition type), and nothing it was meant to check is checked.",
        fix: "Write an IAM operator, e.g. `{{fix}}` (set operators take a colon: `ForAllValues:StringEquals`, which should not be used on these single-valued claims).",
      },
      forAnyValue: {
        message: "`{{operator}}` on {{keys}}: a set operator on a single-valued claim",
        explanation:
          "`{{operator}}` on {{keys}}: `ForAnyValue:` is a set operator for multivalued keys, but these claims are single-valued. AWS documents set operators for multivalued keys only; here it behaves like `{{fix}}` while suggesting a list is being matched, and a later edit to a negated or `ForAllValues:` form silently opens the role.{{iam}}",
        fix: "Write `{{fix}}`.",
      },
    },
  },
  check(ctx) {
    for (const { stmt } of githubTrustStatements(ctx.project.policies, ctx.settings)) {
      // An operator IAM does not know, on any of GitHub's claims: one finding per operator block.
      const unknownOps = new Map<string, OperatorBlock>();
      for (const c of githubConditions(stmt, ctx.settings))
        if (isIamOperator(c.operator) === false) inBlock(unknownOps, c, (first, keys) => ({ first, keys }));
      for (const { first, keys } of unknownOps.values())
        ctx.report({
          messageId: "unknownOperator",
          at: first.condition.operator,
          data: { operator: first.condition.operator.value, keys: keys.join(", "), fix: closestOperator(first) },
        });
      const conditions = githubConditions(stmt, ctx.settings).filter((c) => GUARDED_CLAIMS.has(c.claim));
      // A negated condition on sub / job_workflow_ref is either an exception inside a positive scope (safe)
      // or the statement's only "scoping", which is `missing-sub-condition`'s finding (negated-only counts
      // as missing): one problem, one finding. A negated `aud` with no positive one is this rule's.
      const negationIsAlone = (c: GitHubCondition): boolean =>
        !SCOPING_CLAIMS.has(c.claim) && !conditions.some((o) => o.claim === c.claim && !o.operator.negated);
      const groups = new Map<string, OperatorBlock & { problem: Problem; scoping: boolean }>();
      for (const c of conditions) {
        const problem = isIamOperator(c.operator) === false ? undefined : problemOf(c);
        if (!problem) continue;
        if (problem === "negated" && !negationIsAlone(c)) continue;
        const group = inBlock(groups, c, (first, keys) => ({ problem, first, keys, scoping: false }));
        group.scoping ||= SCOPING_CLAIMS.has(c.claim);
      }
      if (groups.size === 0) continue;
      const iamRefuses = failsIamCreateCheck(stmt, ctx.settings);
      for (const { problem, first, keys, scoping } of groups.values()) {
        // The only "scoping" is this operator: IAM's create-time check does not count it.
        const iam =
          scoping && iamRefuses && problem !== "negated"
            ? " IAM's create-time check counts only a plain `StringEquals`, `StringLike` or `StringEqualsIgnoreCase` condition on sub or job_workflow_ref that is not scoped to all, and this statement has none, so IAM would refuse to create or update a role with this trust policy (MalformedPolicyDocument): the role predates that check or will not deploy."
            : "";
        ctx.report({
          messageId: problem,
          at: first.condition.operator,
          data: { operator: first.condition.operator.value, keys: keys.join(", "), fix: saferOperator(first), iam },
        });
      }
    }
  },
});
